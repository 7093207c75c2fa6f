using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Topics;

/// <summary>A message routed by Cluster.Sharding to the topic named <see cref="Topic"/>.</summary>
public interface ITopicCommand
{
    string Topic { get; }
}

/// <summary>
/// Publishes one message. The topic answers the sender with <see cref="PublishReceipt"/> once the message
/// is persisted, or with <see cref="PublishRejected"/>.
/// </summary>
/// <param name="ProducerId">
/// Optional id of a resending publisher. With it, <paramref name="ProducerSeq"/> numbers this producer's
/// publishes to this topic 1, 2, 3, … and the topic stores each number once: a resend after a lost receipt
/// is answered with the original sequence number instead of being stored again.
/// </param>
/// <param name="ProducerSeq">This producer's number for the publish (1-based); 0 without a producer id.</param>
/// <param name="ProducerFloor">
/// The lowest producer number the producer still waits for (it has its receipt, or gave up, for everything
/// below). The topic uses it to forget old numbers and to accept the next number after a gap the producer
/// abandoned.
/// </param>
public sealed record Publish(
    string Topic,
    Payload Payload,
    string? Key = null,
    ImmutableDictionary<string, string>? Headers = null,
    string? MessageId = null,
    string? ProducerId = null,
    long ProducerSeq = 0,
    long ProducerFloor = 0) : ITopicCommand, IPubSubWireMessage;

/// <summary>
/// Several publishes to one topic in one message (what the client sends when publishes queue up): the topic
/// handles each as a <see cref="Publish"/> and answers with one <see cref="PublishReceipts"/> per write.
/// </summary>
public sealed record PublishBatch(string Topic, ImmutableArray<Publish> Publishes) : ITopicCommand, IPubSubWireMessage
{
    /// <summary>
    /// The sender reads receipts in their compact form (<see cref="PublishReceipts.Compact"/>): the topic then answers it
    /// so. A node that does not know the flag skips it and answers in the full form, which every client reads.
    /// </summary>
    public bool CompactReceipts { get; init; }
}

/// <summary>The receipts of several publishes from one sender persisted by the same write.</summary>
public sealed record PublishReceipts(string Topic, ImmutableArray<PublishReceipt> Receipts) : IPubSubWireMessage, IDeadLetterSuppression
{
    /// <summary>
    /// Sent to a sender that said it reads the compact form (<see cref="PublishBatch.CompactReceipts"/>): between nodes
    /// the topic and producer id then travel once and consecutive receipts as runs, instead of every field of every
    /// receipt (about 3 bytes a receipt instead of 81). Receipts that do not share one producer id travel in full.
    /// The receipts read back are the same either way.
    /// </summary>
    public bool Compact { get; init; }
}

/// <summary>The publish was not stored. <see cref="Reason"/> says what was wrong and what is allowed.</summary>
public sealed record PublishRejected(string Topic, string? ProducerId, long ProducerSeq, RejectionCode Code, string Reason)
    : IPubSubWireMessage, IDeadLetterSuppression;

/// <summary>A topic command other than publish was refused.</summary>
/// <param name="Command">The command's type name, e.g. "CreateSubscription".</param>
public sealed record CommandRejected(string Topic, string? Subscription, string Command, RejectionCode Code, string Reason)
    : IPubSubWireMessage, IDeadLetterSuppression;

/// <summary>
/// Creates a durable subscription. Idempotent: creating an existing subscription with the same options answers
/// <see cref="SubscriptionCreated"/> with <c>AlreadyExisted = true</c>; an option left unset (zero or null) means
/// "whatever it has"; an option set to another value is rejected with <see cref="RejectionCode.Conflict"/>
/// (options are fixed at creation). Unset options of a new subscription get the node's defaults
/// (<c>actorpubsub.topic.default-ack-deadline</c> and <c>actorpubsub.topic.default-retry</c>).
/// </summary>
/// <param name="AckDeadline">Zero: unset. Allowed: 100 ms to 1 day.</param>
/// <param name="MaxDeliveryAttempts">0: unset. Allowed: 1 to 10,000.</param>
/// <param name="Backoff">Null: unset. See <see cref="RetryBackoff"/>.</param>
/// <param name="OrderedByKey">Null: unset (a new subscription is not ordered).</param>
/// <param name="Filter">Null: unset (a new subscription gets every message). See <c>ActorPubSub.Filters.HeaderFilter</c>.</param>
public sealed record CreateSubscription(
    string Topic,
    string Subscription,
    StartPosition Start,
    TimeSpan AckDeadline,
    int MaxDeliveryAttempts = 0,
    RetryBackoff? Backoff = null,
    bool? OrderedByKey = null,
    string? Filter = null) : ITopicCommand, IPubSubWireMessage;

/// <summary>Deletes a subscription and its delivery state. Idempotent.</summary>
public sealed record DeleteSubscription(string Topic, string Subscription) : ITopicCommand, IPubSubWireMessage;

/// <summary>
/// Registers a consumer of a subscription and grants it a delivery window: the topic keeps at most
/// <paramref name="MaxInFlight"/> unacknowledged deliveries at this consumer. Consumers resend it
/// periodically; that renews their registration and wakes a topic that moved to another node.
/// </summary>
public sealed record Consume(string Topic, string Subscription, IActorRef Consumer, int MaxInFlight)
    : ITopicCommand, IPubSubWireMessage;

/// <summary>Sent to a consumer when the topic registers it (not on renewals).</summary>
public sealed record ConsumerRegistered(string Topic, string Subscription) : IPubSubWireMessage, IDeadLetterSuppression;

/// <summary>The consumer stops; its unacknowledged deliveries go to the subscription's other consumers.</summary>
public sealed record StopConsuming(string Topic, string Subscription, IActorRef Consumer) : ITopicCommand, IPubSubWireMessage;

/// <summary>
/// Messages for one consumer. <c>Attempts[i]</c> is the delivery attempt (1 = first) of <c>Messages[i]</c>.
/// </summary>
public sealed record Deliver(string Topic, string Subscription, ImmutableArray<TopicMessage> Messages, ImmutableArray<int> Attempts)
    : IPubSubWireMessage;

/// <summary>Acknowledges deliveries: each sequence is done for this subscription.</summary>
public sealed record Ack(string Topic, string Subscription, ImmutableArray<long> Sequences) : ITopicCommand, IPubSubWireMessage;

/// <summary>
/// The handler failed <paramref name="Sequence"/>. It is delivered again after <paramref name="Delay"/>, or
/// after the subscription's backoff when null, unless it reached the subscription's MaxDeliveryAttempts or
/// <paramref name="Unprocessable"/> is set: then it is dead-lettered.
/// </summary>
/// <param name="Error">The failure, kept with the message (the last one goes to the dead letter).</param>
/// <param name="Unprocessable">The handler declared the message poison: dead-letter it at once, no retry.</param>
public sealed record Nack(string Topic, string Subscription, long Sequence, TimeSpan? Delay, string Error, bool Unprocessable = false)
    : ITopicCommand, IPubSubWireMessage;

/// <summary>
/// Fire-and-forget messages (the transient path): each goes to one consumer of every subscription that has
/// a consumer with room in its transient window, right away. Never stored, no sequence number (0), delivered
/// with attempt 0, not acknowledged, not redelivered; dropped for a subscription without such a consumer.
/// </summary>
public sealed record PublishTransient(string Topic, ImmutableArray<TopicMessage> Messages) : ITopicCommand, IPubSubWireMessage;

/// <summary>A consumer finished <paramref name="Count"/> transient deliveries: room in its transient window.</summary>
public sealed record TransientDone(string Topic, string Subscription, int Count) : ITopicCommand, IPubSubWireMessage;

/// <summary>
/// The topic's credit to a transient publisher: <paramref name="Count"/> of its transient messages have left the topic
/// (handed to consumers, or dropped), so it may send that many more. Sent to the sender of <see cref="PublishTransient"/>.
/// </summary>
public sealed record TransientAccepted(string Topic, int Count) : IPubSubWireMessage, IDeadLetterSuppression;

/// <summary>
/// A transient publisher asks the topic for credit: <paramref name="Count"/> is how many messages it holds beyond the
/// credit it has (its latest word replaces the earlier one). A publisher that asks sends only what it was granted
/// (<see cref="TransientAccepted"/>), so the topic parks at most <c>topic.transient-credit-pool</c> of the messages of
/// all such publishers together and never drops them; one that never asks (an older client) starts with its own
/// <c>transient-buffer</c> of credit and gets back what went through.
/// </summary>
public sealed record TransientDemand(string Topic, int Count) : ITopicCommand, IPubSubWireMessage;

/// <summary>Asks a topic for <see cref="TopicInfo"/>.</summary>
public sealed record GetTopicInfo(string Topic) : ITopicCommand, IPubSubWireMessage;

/// <summary>
/// Moves a subscription's cursor: every message from <paramref name="Sequence"/> on is delivered again (or
/// for the first time), everything before it counts as acknowledged. With <paramref name="Timestamp"/>
/// instead, the cursor goes to the first retained message published at or after it. Seeking back needs the
/// messages to be retained (see <see cref="TopicRetention"/>). Answered with <see cref="SeekCompleted"/>.
/// </summary>
public sealed record Seek(string Topic, string Subscription, long? Sequence, DateTime? Timestamp) : ITopicCommand, IPubSubWireMessage;

/// <summary>
/// Sets the topic's retention of acknowledged messages, its limits on the log, or both (at least one). What is null
/// stays as it is. Answered with <see cref="TopicConfigured"/> once written, or <see cref="CommandRejected"/>
/// (<see cref="RejectionCode.Invalid"/>). New limits apply at once: with drop-oldest or a max age, what lies beyond
/// them is dropped right after the write.
/// </summary>
/// <param name="Retention">Null: unchanged.</param>
/// <param name="Limits">Null: unchanged. See <see cref="TopicLimits"/> (0: no limit).</param>
public sealed record ConfigureTopic(string Topic, TopicRetention? Retention, TopicLimits? Limits = null) : ITopicCommand, IPubSubWireMessage;

/// <summary>
/// Sent by the shard to stop a topic on hand-off and passivation (instead of PoisonPill), so the topic can
/// finish its journal write and flush pending acks before it stops. Local only.
/// </summary>
public sealed class TopicStop
{
    public static readonly TopicStop Instance = new();
    private TopicStop() { }
}

/// <summary>
/// Dead-letter actor → topic: put these messages back into <paramref name="Subscription"/> with their attempt
/// count reset (a redrive). Idempotent per message while it is still pending. Answered with
/// <see cref="MessagesRedriven"/> once persisted, or <see cref="CommandRejected"/>.
/// </summary>
public sealed record RedriveMessages(string Topic, string Subscription, ImmutableArray<TopicMessage> Messages)
    : ITopicCommand, IPubSubWireMessage;

/// <summary>The redriven messages are durable in the subscription again.</summary>
public sealed record MessagesRedriven(string Topic, string Subscription, ImmutableArray<long> Sequences)
    : IPubSubWireMessage, IDeadLetterSuppression;
