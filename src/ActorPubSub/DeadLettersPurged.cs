using System.Collections.Immutable;
using ActorPubSub.Messages;

namespace ActorPubSub;

public sealed record DeadLettersPurged(string Topic, string Subscription, int Purged, ImmutableArray<long> NotFound)
    : IDeadLetterWireMessage;
