using Akka.Event;
using ActorPubSub.Messages;

namespace ActorPubSub;

/// <summary>The publish is persisted: it will reach every subscription of the topic.</summary>
/// <param name="Sequence">The message's sequence number in the topic.</param>
/// <param name="Duplicate">True when this answers a resend of a publish that was already stored.</param>
public sealed record PublishReceipt(string Topic, long Sequence, string? ProducerId, long ProducerSeq, bool Duplicate)
    : IPubSubWireMessage, IDeadLetterSuppression;
