using Akka.Event;
using ActorPubSub.Messages;

namespace ActorPubSub;

/// <summary>The cursor is at <paramref name="Sequence"/>: the next message delivered is the first retained from there.</summary>
public sealed record SeekCompleted(string Topic, string Subscription, long Sequence) : IPubSubWireMessage, IDeadLetterSuppression;
