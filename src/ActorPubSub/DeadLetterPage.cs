using System.Collections.Immutable;
using ActorPubSub.Messages;

namespace ActorPubSub;

/// <summary>One page of dead letters.</summary>
/// <param name="Total">How many dead letters the subscription holds in all.</param>
/// <param name="NextAfter">Pass as AfterSequence for the next page; null on the last page.</param>
public sealed record DeadLetterPage(string Topic, string Subscription, ImmutableArray<DeadLetter> Letters, int Total, long? NextAfter)
    : IDeadLetterWireMessage;
