using Akka.Event;
using ActorPubSub.Messages;

namespace ActorPubSub;

public sealed record SubscriptionDeleted(string Topic, string Subscription, bool Existed)
    : IPubSubWireMessage, IDeadLetterSuppression;
