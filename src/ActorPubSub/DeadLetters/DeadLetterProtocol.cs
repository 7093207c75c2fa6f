using System.Collections.Immutable;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.DeadLetters;

/// <summary>
/// Lists dead letters ordered by message sequence, those after <paramref name="AfterSequence"/>, at most
/// <paramref name="Limit"/> (1-1000; otherwise <see cref="CommandRejected"/> with <see cref="RejectionCode.Invalid"/>).
/// A page may hold fewer when its messages reach <c>actorpubsub.dead-letters.page-max-bytes</c>; its
/// <see cref="DeadLetterPage.NextAfter"/> then continues from there.
/// </summary>
public sealed record ListDeadLetters(string Topic, string Subscription, long AfterSequence, int Limit)
    : IDeadLetterCommand, IDeadLetterWireMessage;

/// <summary>Asks for the dead letter of message <paramref name="Sequence"/>.</summary>
public sealed record GetDeadLetter(string Topic, string Subscription, long Sequence) : IDeadLetterCommand, IDeadLetterWireMessage;

/// <summary>The answer to <see cref="GetDeadLetter"/>: <paramref name="Letter"/> is null when there is none.</summary>
public sealed record DeadLetterFound(string Topic, string Subscription, long Sequence, DeadLetter? Letter) : IDeadLetterWireMessage;

/// <summary>
/// Sends dead letters back into their subscription with their attempt count reset: those of
/// <paramref name="Sequences"/>, or all when it is empty. Answered with <see cref="DeadLettersRedriven"/>.
/// The messages go to the topic in chunks (<see cref="RedriveMessages"/>), and a letter leaves the store only once
/// the topic confirmed its chunk. When the topic refuses a chunk, or does not confirm it within
/// <c>actorpubsub.dead-letters.redrive-timeout</c> (<see cref="RejectionCode.StorageFailure"/>), the answer is
/// <see cref="CommandRejected"/> saying how many were redriven; the others stay in the store. Other operator
/// commands wait until the redrive is over.
/// </summary>
public sealed record RedriveDeadLetters(string Topic, string Subscription, ImmutableArray<long> Sequences)
    : IDeadLetterCommand, IDeadLetterWireMessage;

/// <summary>Deletes dead letters for good: those of <paramref name="Sequences"/>, or all when it is empty.</summary>
public sealed record PurgeDeadLetters(string Topic, string Subscription, ImmutableArray<long> Sequences)
    : IDeadLetterCommand, IDeadLetterWireMessage;
