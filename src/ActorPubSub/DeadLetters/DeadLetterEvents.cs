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
/// A dead-letter store's whole state at a journal position: where each incarnation's run of ids has got to, and
/// every letter ordered by message sequence: in <see cref="Index"/> by where its body is in the journal (the
/// <see cref="DeadLettersAdded"/> event that holds it), in <see cref="Letters"/> with its body. Snapshots written
/// before letters were paged hold only <see cref="Letters"/>; those letters have no event left in the journal and
/// are written with their bodies again until they leave. Journal events below the oldest event that still holds a
/// letter (and up to the snapshot) are deleted.
/// </summary>
public sealed record DeadLetterSnapshot(
    ImmutableArray<DeadLetterIncarnation> Incarnations,
    ImmutableArray<DeadLetter> Letters,
    ImmutableArray<DeadLetterIndexEntry> Index = default) : IDeadLetterWireMessage
{
    /// <summary>The letters whose body is in the journal; never default.</summary>
    public ImmutableArray<DeadLetterIndexEntry> Index { get; init; } = Index.IsDefault ? [] : Index;
}

/// <summary>
/// What a dead-letter store keeps of a letter whose body is in its journal: enough to page, size and find it.
/// </summary>
/// <param name="Sequence">The message's sequence (the store's key).</param>
/// <param name="Id">The letter's id (its incarnation's transfer number).</param>
/// <param name="JournalSeqNr">
/// The journal position of the <see cref="DeadLettersAdded"/> event that holds the letter; 0 when the body is kept
/// in memory instead (a letter of a snapshot written before letters were paged).
/// </param>
/// <param name="MessageSize">The message's <see cref="TopicMessage.Size"/>, for page and chunk budgets.</param>
/// <param name="ErrorLength">Length of the letter's last error, for page budgets.</param>
public sealed record DeadLetterIndexEntry(long Sequence, long Id, long JournalSeqNr, int MessageSize, int ErrorLength);

/// <param name="HighestId">Every letter of the incarnation up to this id was stored (a run without gaps from 1).</param>
public sealed record DeadLetterIncarnation(Guid Incarnation, long HighestId);
