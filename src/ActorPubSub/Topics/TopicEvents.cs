using System.Collections.Immutable;
using ActorPubSub.Serialization;

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
public sealed record SubscriptionAdded(string Subscription, long Watermark, TimeSpan AckDeadline) : ITopicEvent;

public sealed record SubscriptionRemoved(string Subscription) : ITopicEvent;

/// <summary>
/// A topic's whole state at a journal position: the retained messages, each subscription's acknowledged
/// state, and the producer runs still needed for dedup. Journal events up to the snapshot are deleted.
/// </summary>
public sealed record TopicSnapshot(
    long LastSequence,
    ImmutableArray<TopicMessage> Retained,
    ImmutableArray<SubscriptionSnapshot> Subscriptions,
    ImmutableArray<ProducerRun> Producers) : IPubSubWireMessage;

/// <param name="AckedAbove">Sequences above the watermark already acknowledged (out-of-order acks).</param>
public sealed record SubscriptionSnapshot(string Name, long Watermark, ImmutableArray<long> AckedAbove, TimeSpan AckDeadline);
