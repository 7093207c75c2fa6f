
namespace ActorPubSub.Observability;

/// <summary>
/// The names of ActorPubSub's instruments and of their tags (docs/observability.md lists them with their Prometheus names).
/// Counters are counted where the fact happens: in the topic (published, delivered, acked, …), so a message counts
/// once however many clients sent it.
/// </summary>
public static class InstrumentNames
{
    /// <summary>Counter: messages persisted by their topic (a publish confirmed as a duplicate is not counted). Tag: topic.</summary>
    public const string MessagesPublished = "actorpubsub.messages.published";

    /// <summary>Counter: deliveries sent to consumers, redeliveries included. Tags: topic, subscription.</summary>
    public const string MessagesDelivered = "actorpubsub.messages.delivered";

    /// <summary>Counter: deliveries with attempt 2 or more (a subset of delivered). Tags: topic, subscription.</summary>
    public const string MessagesRedelivered = "actorpubsub.messages.redelivered";

    /// <summary>Counter: messages acknowledged by a consumer (first ack of each). Tags: topic, subscription.</summary>
    public const string MessagesAcked = "actorpubsub.messages.acked";

    /// <summary>Counter: failed attempts reported by consumers (handler threw or timed out). Tags: topic, subscription.</summary>
    public const string MessagesNacked = "actorpubsub.messages.nacked";

    /// <summary>Counter: deliveries not acknowledged within the ack deadline (a failed attempt too). Tags: topic, subscription.</summary>
    public const string MessagesExpired = "actorpubsub.messages.ack_deadline_expired";
    public const string MessagesDropped = "actorpubsub.messages.dropped";
    public const string TransientDropped = "actorpubsub.transient.dropped";

    /// <summary>Counter: messages moved to the dead-letter store. Tags: topic, subscription, reason.</summary>
    public const string MessagesDeadLettered = "actorpubsub.messages.dead_lettered";

    /// <summary>Gauge: messages a subscription has not acknowledged (its lag). Tags: topic, subscription.</summary>
    public const string ConsumerLag = "actorpubsub.consumer.lag";

    /// <summary>Gauge, seconds: age of the oldest message a subscription has not acknowledged; 0 when none. Tags: topic, subscription.</summary>
    public const string ConsumerLagAge = "actorpubsub.consumer.lag_age";

    /// <summary>Gauge: deliveries sent and not yet acknowledged, nacked or expired. Tags: topic, subscription.</summary>
    public const string InFlight = "actorpubsub.consumer.in_flight";

    /// <summary>Gauge: registered consumers. Tags: topic, subscription.</summary>
    public const string Consumers = "actorpubsub.consumers";

    /// <summary>Gauge: letters in the subscription's dead-letter store plus those on their way there. Tags: topic, subscription.</summary>
    public const string DeadLetterDepth = "actorpubsub.dead_letters.depth";

    /// <summary>Gauge: topic actors running on this node.</summary>
    public const string TopicsActive = "actorpubsub.topics.active";

    /// <summary>Gauge: topics that ran on this node and stopped after their idle timeout, and have not started again since.</summary>
    public const string TopicsPassivated = "actorpubsub.topics.passivated";

    /// <summary>Histogram, seconds: duration of a topic's journal write (one group commit), successful writes only.</summary>
    public const string JournalWriteDuration = "actorpubsub.journal.write.duration";

    /// <summary>Histogram: messages in one group commit (writes that carry messages).</summary>
    public const string JournalWriteBatchSize = "actorpubsub.journal.write.batch_size";

    /// <summary>Tag: the topic's name, or <see cref="OtherTagValue"/> past <see cref="PubSubTelemetry.MaxTagValues"/>.</summary>
    public const string TopicTag = "topic";

    /// <summary>Tag: the subscription's name, or <see cref="OtherTagValue"/> past <see cref="PubSubTelemetry.MaxTagValues"/>.</summary>
    public const string SubscriptionTag = "subscription";

    /// <summary>Tag of dead-lettered: <c>max_delivery_attempts</c> or <c>unprocessable</c>.</summary>
    public const string ReasonTag = "reason";

    /// <summary>The tag value of topics and subscriptions past the cardinality cap.</summary>
    public const string OtherTagValue = "_other";
}
