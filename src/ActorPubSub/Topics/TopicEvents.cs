using System.Collections.Immutable;
using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Log;

namespace ActorPubSub.Topics;

/// <summary>A journal event of a topic.</summary>
public interface ITopicEvent : IPubSubWireMessage;

/// <summary>
/// A run of messages from one producer: producer numbers FirstProducerSeq.. map to topic sequences
/// FirstSequence.. for Count messages. Runs let a recovered topic answer resends with the original
/// sequence numbers without storing a producer id per message.
/// </summary>
public sealed record ProducerRun(string ProducerId, long FirstProducerSeq, long FirstSequence, int Count)
{
    public long LastProducerSeq => FirstProducerSeq + Count - 1;
}

/// <summary>A group commit: every publish accepted while the previous write ran.</summary>
public sealed record MessagesAppended(ImmutableArray<TopicMessage> Messages, ImmutableArray<ProducerRun> Producers) : ITopicEvent;

/// <summary>A batch of acknowledgements, per subscription.</summary>
public sealed record AcksRecorded(ImmutableArray<SubscriptionAcks> Acks) : ITopicEvent;

public sealed record SubscriptionAcks(string Subscription, ImmutableArray<long> Sequences);

/// <summary>A subscription was created; it has acknowledged everything up to <see cref="Watermark"/>.</summary>
public sealed record SubscriptionAdded(string Subscription, long Watermark, SubscriptionConfig Config) : ITopicEvent;

public sealed record SubscriptionRemoved(string Subscription) : ITopicEvent;

/// <summary>
/// Failed delivery attempts (handler error, handler timeout, ack deadline), written so the attempt count and
/// the backoff survive a restart or a move of the topic. Not written on the happy path.
/// </summary>
public sealed record DeliveriesFailed(ImmutableArray<DeliveryFailure> Failures) : ITopicEvent;

/// <param name="Attempts">Failed attempts so far.</param>
/// <param name="RetryAt">When the message may be delivered again (UTC).</param>
public sealed record DeliveryFailure(
    string Subscription,
    long Sequence,
    int Attempts,
    DateTime FirstFailure,
    DateTime LastFailure,
    DateTime RetryAt,
    string Error);

/// <summary>
/// Messages of a subscription handed to its dead-letter store: from here on they are not delivered; they
/// count as acknowledged once the store confirmed them (<see cref="DeadLettersConfirmed"/>).
/// </summary>
public sealed record MessagesDeadLettered(string Subscription, ImmutableArray<DeadLetterTransfer> Transfers) : ITopicEvent;

/// <summary>One dead-lettering: transfer number <paramref name="Id"/> (1, 2, 3, … per subscription incarnation).</summary>
public sealed record DeadLetterTransfer(
    long Id,
    long Sequence,
    int Attempts,
    DateTime FirstFailure,
    DateTime LastFailure,
    string Error,
    DeadLetterReason Reason);

/// <summary>The dead-letter store holds every transfer of the subscription up to <paramref name="UpToId"/>.</summary>
public sealed record DeadLettersConfirmed(string Subscription, long UpToId) : ITopicEvent;

/// <summary>
/// Messages put back into a subscription by a redrive, with their attempt count reset. A copy of each is kept
/// (the log may have dropped it already) until the subscription acknowledges it.
/// </summary>
public sealed record RedriveRecorded(string Subscription, ImmutableArray<TopicMessage> Messages) : ITopicEvent;

/// <summary>A seek: the subscription's cursor moved to <paramref name="Sequence"/>.</summary>
public sealed record CursorMoved(string Subscription, long Sequence) : ITopicEvent;

/// <summary>The topic's retention of acknowledged messages changed.</summary>
public sealed record RetentionChanged(TopicRetention Retention) : ITopicEvent;

/// <summary>The topic's limits on its log changed (ConfigureTopic); they replace the node's defaults for this topic.</summary>
public sealed record LimitsChanged(TopicLimits Limits) : ITopicEvent;

/// <summary>
/// The topic's limits dropped every message below <paramref name="FirstSequence"/>, acknowledged or not
/// (<see cref="TopicLimits.WhenFull"/> = drop-oldest, or <see cref="TopicLimits.MaxAge"/>): subscriptions behind it
/// skip to it and count what they lost.
/// </summary>
public sealed record LogTruncated(long FirstSequence) : ITopicEvent;

/// <summary>
/// A topic's state at a journal position, without message bodies (the journal holds those): where the retained
/// log lies in the journal, each subscription's state, the producer runs and message ids still needed for dedup,
/// and the retention. The journal up to it is deleted but for the events of messages still retained.
/// </summary>
/// <param name="Retained">
/// Messages held only in the snapshot: topics written before the journal was the log kept their retained messages
/// here (with <paramref name="FirstSequence"/> 0). Carried over until they leave the log; new topics never have any.
/// </param>
/// <param name="Retention">Null: the node's default.</param>
/// <param name="FirstSequence">The oldest retained message; 0 in a snapshot of the old format.</param>
/// <param name="Chunks">Where the retained messages lie in the journal, oldest first.</param>
/// <param name="Limits">Null: the node's defaults.</param>
public sealed record TopicSnapshot(
    long LastSequence,
    ImmutableArray<TopicMessage> Retained,
    ImmutableArray<SubscriptionSnapshot> Subscriptions,
    ImmutableArray<ProducerRun> Producers,
    ImmutableArray<MessageIdEntry> MessageIds,
    TopicRetention? Retention,
    long FirstSequence = 0,
    ImmutableArray<LogChunk> Chunks = default,
    TopicLimits? Limits = null) : IPubSubWireMessage
{
    public ImmutableArray<LogChunk> Chunks { get; init; } = Chunks.IsDefault ? [] : Chunks;
}

/// <param name="AckedAbove">Sequences above the watermark already acknowledged (out-of-order acks).</param>
/// <param name="Failures">Failed attempts of messages still pending.</param>
/// <param name="Transfers">Dead-letter transfers not yet confirmed by the store.</param>
/// <param name="LastTransferId">The last transfer number handed out.</param>
/// <param name="Redriven">Redriven messages not yet acknowledged.</param>
/// <param name="Dropped">Messages the topic's limits dropped before this subscription acknowledged them.</param>
public sealed record SubscriptionSnapshot(
    string Name,
    long Watermark,
    ImmutableArray<long> AckedAbove,
    SubscriptionConfig Config,
    ImmutableArray<DeliveryFailure> Failures,
    ImmutableArray<DeadLetterTransfer> Transfers,
    long LastTransferId,
    ImmutableArray<TopicMessage> Redriven,
    long Dropped = 0);

/// <summary>A publisher's message id seen within the dedup window, and the sequence it was stored as.</summary>
public sealed record MessageIdEntry(string MessageId, long Sequence, DateTime Timestamp);
