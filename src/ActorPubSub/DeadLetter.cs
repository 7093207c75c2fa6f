using ActorPubSub.Messages;

namespace ActorPubSub;

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
