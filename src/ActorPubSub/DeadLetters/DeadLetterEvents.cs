using System.Collections.Immutable;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.DeadLetters;

/// <summary>A journal event of a dead-letter store (Protocol Buffers on the wire: Serialization/Proto/dead_letters.proto).</summary>
public interface IDeadLetterEvent : IDeadLetterWireMessage;

/// <summary>
/// Letters of <paramref name="Incarnation"/> were stored: the ids continue the incarnation's run without a gap
/// (the first is the highest id stored before plus one), and each letter replaces any letter of the same
/// message sequence (a message dead-lettered again after a redrive).
/// </summary>
public sealed record DeadLettersAdded(Guid Incarnation, ImmutableArray<DeadLetter> Letters) : IDeadLetterEvent;

/// <summary>Why letters left a dead-letter store. Recorded for operators reading the journal; replay treats both alike.</summary>
public enum DeadLetterRemoval
{
    /// <summary>An operator purged them (<see cref="PurgeDeadLetters"/>).</summary>
    Purged = 1,
    /// <summary>The topic confirmed they are back in the subscription (<see cref="RedriveDeadLetters"/>).</summary>
    Redriven = 2,
}

/// <summary>The letters of these message sequences left the store.</summary>
public sealed record DeadLettersRemoved(ImmutableArray<long> Sequences, DeadLetterRemoval Cause) : IDeadLetterEvent;

/// <summary>
/// A dead-letter store's whole state at a journal position: where each incarnation's run of ids has got to and
/// every letter, ordered by message sequence. Journal events up to the snapshot are deleted.
/// </summary>
public sealed record DeadLetterSnapshot(ImmutableArray<DeadLetterIncarnation> Incarnations, ImmutableArray<DeadLetter> Letters)
    : IDeadLetterWireMessage;

/// <param name="HighestId">Every letter of the incarnation up to this id was stored (a run without gaps from 1).</param>
public sealed record DeadLetterIncarnation(Guid Incarnation, long HighestId);
