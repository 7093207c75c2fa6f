using System.Collections.Immutable;
using ActorPubSub.Topics;

namespace ActorPubSub.DeadLetters;

/// <summary>
/// A dead-letter protocol message or journal type: serialized by DeadLetterSerializer (id 472), not by
/// the topic serializer.
/// </summary>
public interface IDeadLetterWireMessage;

/// <summary>A message routed by Cluster.Sharding to the dead-letter actor of one subscription.</summary>
public interface IDeadLetterCommand
{
    string Topic { get; }
    string Subscription { get; }
}

/// <summary>Why a message was dead-lettered.</summary>
public enum DeadLetterReason
{
    /// <summary>It failed <c>MaxDeliveryAttempts</c> times (handler error, handler timeout or ack deadline).</summary>
    MaxDeliveryAttempts = 1,
    /// <summary>The handler declared it unprocessable (no retry).</summary>
    Unprocessable = 2,
}

/// <summary>A poison message, as the dead-letter actor keeps it.</summary>
/// <param name="Id">
/// The topic's transfer number for this dead-lettering: 1, 2, 3, … per subscription incarnation, without gaps.
/// </param>
/// <param name="Message">The message as published (sequence, timestamp, payload, key, headers, id).</param>
/// <param name="Attempts">Delivery attempts made before it was dead-lettered.</param>
/// <param name="FirstFailure">When the first attempt failed (UTC).</param>
/// <param name="LastFailure">When the last attempt failed (UTC).</param>
/// <param name="LastError">The last failure, e.g. "InvalidOperationException: bad total".</param>
public sealed record DeadLetter(
    long Id,
    TopicMessage Message,
    int Attempts,
    DateTime FirstFailure,
    DateTime LastFailure,
    string LastError,
    DeadLetterReason Reason);

/// <summary>
/// Topic → dead-letter actor: store these letters. The topic sends every letter it has not seen confirmed, in
/// <see cref="DeadLetter.Id"/> order, and resends until confirmed. <paramref name="Incarnation"/> identifies
/// the subscription's incarnation (a subscription deleted and created again starts a new one, with ids from 1).
/// Answered with <see cref="DeadLettersStored"/> once persisted (at once when nothing in it is new): letters
/// with ids already stored are skipped, and a letter whose id is not the next one means an earlier send was lost,
/// so nothing from it on is stored until the resend. No answer when the journal write fails (the topic resends).
/// </summary>
public sealed record StoreDeadLetters(string Topic, string Subscription, Guid Incarnation, ImmutableArray<DeadLetter> Letters)
    : IDeadLetterCommand, IDeadLetterWireMessage;

/// <summary>Every letter of <paramref name="Incarnation"/> with an id up to <paramref name="UpToId"/> is stored.</summary>
public sealed record DeadLettersStored(string Topic, string Subscription, Guid Incarnation, long UpToId)
    : ITopicCommand, IDeadLetterWireMessage;

/// <summary>
/// Dead-letter actor → topic: the store holds <paramref name="Count"/> letters. Sent after every answer to a
/// <see cref="StoreDeadLetters"/> (an empty one asks just for this) and after a purge, for the topic's dead-letter
/// depth gauge and <see cref="SubscriptionInfo.DeadLetters"/>.
/// </summary>
public sealed record DeadLetterCount(string Topic, string Subscription, int Count) : ITopicCommand, IDeadLetterWireMessage;

/// <summary>
/// Lists dead letters ordered by message sequence, those after <paramref name="AfterSequence"/>, at most
/// <paramref name="Limit"/> (1-1000; otherwise <see cref="CommandRejected"/> with <see cref="RejectionCode.Invalid"/>).
/// A page may hold fewer when its messages reach <c>actorpubsub.dead-letters.page-max-bytes</c>; its
/// <see cref="DeadLetterPage.NextAfter"/> then continues from there.
/// </summary>
public sealed record ListDeadLetters(string Topic, string Subscription, long AfterSequence, int Limit)
    : IDeadLetterCommand, IDeadLetterWireMessage;

/// <summary>One page of dead letters.</summary>
/// <param name="Total">How many dead letters the subscription holds in all.</param>
/// <param name="NextAfter">Pass as AfterSequence for the next page; null on the last page.</param>
public sealed record DeadLetterPage(string Topic, string Subscription, ImmutableArray<DeadLetter> Letters, int Total, long? NextAfter)
    : IDeadLetterWireMessage;

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

/// <param name="Redriven">Letters the topic confirmed (they left the dead-letter store).</param>
/// <param name="NotFound">Requested sequences that had no dead letter.</param>
public sealed record DeadLettersRedriven(string Topic, string Subscription, int Redriven, ImmutableArray<long> NotFound)
    : IDeadLetterWireMessage;

/// <summary>Deletes dead letters for good: those of <paramref name="Sequences"/>, or all when it is empty.</summary>
public sealed record PurgeDeadLetters(string Topic, string Subscription, ImmutableArray<long> Sequences)
    : IDeadLetterCommand, IDeadLetterWireMessage;

public sealed record DeadLettersPurged(string Topic, string Subscription, int Purged, ImmutableArray<long> NotFound)
    : IDeadLetterWireMessage;
