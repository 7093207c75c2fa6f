using System.Collections.Immutable;
using ActorPubSub.Journal;
using ActorPubSub.Messages;

namespace ActorPubSub.DeadLetters;

/// <summary>
/// Reading the bodies of some letters back from a dead-letter store's journal, for one answer (a page, a letter, a
/// redrive chunk): which event ranges to read, one <see cref="JournalReader.Read"/> at a time, and which letters of
/// the events read are wanted. Plain state owned by <see cref="DeadLetterActor"/>: this decides, the actor asks
/// the reader and answers.
/// </summary>
/// <remarks>
/// Only the events that hold a wanted letter are read, in runs of neighbours; a run ends before its events' bytes
/// pass the answer's byte budget (one event always goes), so the reader buffers about one page or chunk at a time.
/// Its buffer (<see cref="InFlightBytes"/>) and the wanted letters kept (<see cref="Bytes"/>) count against the
/// node's memory; the other letters of an event read are dropped at once. A wanted letter that is not in its event
/// means the journal lost a range the index points to: the caller stops the store rather than answer without it.
/// </remarks>
internal sealed class DeadLetterReadBack
{
    // Most events in one read (the byte budget usually ends a run first).
    private const int MaxEventsPerRead = 256;

    private readonly string _persistenceId;
    private readonly ImmutableArray<DeadLetterIndexEntry> _wanted;
    // The wanted letters whose body is still to read, by message sequence.
    private readonly Dictionary<long, DeadLetterIndexEntry> _toRead = [];
    private readonly Dictionary<long, DeadLetter> _found = [];
    private readonly Queue<(long From, long To, long Bytes)> _ranges = new();

    /// <param name="id">Tells this read's pages from those of an earlier read.</param>
    /// <param name="wanted">The letters to answer with, in answer order.</param>
    /// <param name="store">Gives the bodies kept in memory (they need no read) and the events' sizes.</param>
    /// <param name="maxBytes">The answer's byte budget (page-max-bytes, redrive-batch-bytes): most event bytes in one read.</param>
    public DeadLetterReadBack(long id, string persistenceId, ImmutableArray<DeadLetterIndexEntry> wanted, DeadLetterStore store, long maxBytes)
    {
        Id = id;
        _persistenceId = persistenceId;
        _wanted = wanted;
        foreach (var entry in wanted)
            if (store.TryGetBody(entry, out var body)) _found[entry.Sequence] = body;
            else _toRead[entry.Sequence] = entry;
        LowestJournalSeqNr = _toRead.Count == 0 ? long.MaxValue : _toRead.Values.Min(e => e.JournalSeqNr);
        PlanRanges(store, maxBytes);
    }

    public long Id { get; }

    /// <summary>The oldest journal event this read needs; the store must not delete the journal from there on.</summary>
    public long LowestJournalSeqNr { get; }

    /// <summary>Bytes of the letters read back and held (counted against the node's memory until the answer went).</summary>
    public long Bytes { get; private set; }

    /// <summary>Estimated bytes of the events the read in progress buffers (0 when none is in progress).</summary>
    public long InFlightBytes { get; private set; }

    /// <summary>The read asked for last; null before the first.</summary>
    public JournalReader.Read? Current { get; private set; }

    /// <summary>Nothing (more) to read: every wanted letter is at hand.</summary>
    public bool Done => _ranges.Count == 0 && _found.Count == _wanted.Length;

    /// <summary>The next range to read; null when every range was read.</summary>
    public JournalReader.Read? Next()
    {
        if (!_ranges.TryDequeue(out var range))
        {
            Current = null;
            InFlightBytes = 0;
            return null;
        }
        InFlightBytes = range.Bytes;
        Current = new JournalReader.Read(Id, range.From, range.To, range.To - range.From + 1);
        return Current;
    }

    /// <summary>Whether <paramref name="request"/> is the read in progress (not a late answer to an earlier one).</summary>
    public bool IsCurrent(JournalReader.Read request) => Current is not null && request == Current;

    /// <summary>
    /// Takes the wanted letters out of the events of <paramref name="page"/>; returns the bytes now held more, and in
    /// <paramref name="missing"/> a description of wanted letters the range did not hold (null when none).
    /// </summary>
    public long Take(JournalReader.Page page, out string? missing)
    {
        long bytes = 0;
        foreach (var persistent in page.Events)
        {
            if (persistent.Payload is not DeadLettersAdded added || added.Letters.IsDefault) continue;
            foreach (var letter in added.Letters)
                if (_toRead.TryGetValue(letter.Message.Sequence, out var entry) && entry.Id == letter.Id && entry.JournalSeqNr == persistent.SequenceNr)
                {
                    _toRead.Remove(entry.Sequence);
                    _found[entry.Sequence] = letter;
                    bytes += DeadLetterStore.PageBytes(entry);
                }
        }
        Bytes += bytes;
        var request = page.Request;
        var lost = _toRead.Values.Where(e => e.JournalSeqNr >= request.FromSequenceNr && e.JournalSeqNr <= request.ToSequenceNr).ToList();
        missing = lost.Count == 0 ? null :
            $"The journal of '{_persistenceId}' lacks the dead letters of events {lost.Min(e => e.JournalSeqNr)}..{lost.Max(e => e.JournalSeqNr)} " +
            $"({lost.Count} letter(s), e.g. message sequence {lost[0].Sequence}; read {request.FromSequenceNr}..{request.ToSequenceNr})";
        return bytes;
    }

    /// <summary>The wanted letters, in the order asked; call when <see cref="Done"/>.</summary>
    public ImmutableArray<DeadLetter> Letters() => [.. _wanted.Select(e => _found[e.Sequence])];

    // Groups the events to read into ranges: adjacent events share a read while their bytes stay within maxBytes.
    private void PlanRanges(DeadLetterStore store, long maxBytes)
    {
        long from = 0, to = 0, bytes = 0;
        foreach (var seqNr in _toRead.Values.Select(e => e.JournalSeqNr).Distinct().Order())
        {
            var size = store.EventBytes(seqNr);
            if (from != 0 && seqNr == to + 1 && seqNr - from < MaxEventsPerRead && bytes + size <= maxBytes)
            {
                to = seqNr;
                bytes += size;
                continue;
            }
            if (from != 0) _ranges.Enqueue((from, to, bytes));
            (from, to, bytes) = (seqNr, seqNr, size);
        }
        if (from != 0) _ranges.Enqueue((from, to, bytes));
    }
}
