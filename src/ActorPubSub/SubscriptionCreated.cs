using Akka.Event;
using ActorPubSub.Messages;

namespace ActorPubSub;

/// <summary>The subscription exists; it has acknowledged everything up to <see cref="Watermark"/>.</summary>
public sealed record SubscriptionCreated(string Topic, string Subscription, long Watermark, bool AlreadyExisted)
    : IPubSubWireMessage, IDeadLetterSuppression;
