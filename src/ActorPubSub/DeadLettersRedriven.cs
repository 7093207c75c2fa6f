using System.Collections.Immutable;
using ActorPubSub.Messages;

namespace ActorPubSub;

/// <param name="Redriven">Letters the topic confirmed (they left the dead-letter store).</param>
/// <param name="NotFound">Requested sequences that had no dead letter.</param>
public sealed record DeadLettersRedriven(string Topic, string Subscription, int Redriven, ImmutableArray<long> NotFound)
    : IDeadLetterWireMessage;
