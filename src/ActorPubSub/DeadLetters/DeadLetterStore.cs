using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using ActorPubSub.Messages;
using ActorPubSub.Topics;

namespace ActorPubSub.DeadLetters;

/// <summary>
/// The in-memory state of one dead-letter store: an index of the letters keyed and ordered by message sequence, and
/// per subscription incarnation the highest id of its gap-free run. Changed only by applying journal events, so
/// recovery rebuilds exactly what was confirmed.
/// </summary>
/// <remarks>
/// A letter's body stays in the journal, in the <see cref="DeadLettersAdded"/> event that brought it: memory holds
/// one <see cref="DeadLetterIndexEntry"/> per letter (about 145 bytes measured with the dictionary entry and the tree node,
/// whatever the message's size), and per such event still holding a letter a count. Letters of a snapshot written
/// before letters were paged have no event left: their bodies are kept in memory (JournalSeqNr 0) until they leave.
/// </remarks>
internal sealed class DeadLetterStore
{
    // Bytes counted per letter beyond its message (ids, attempts, timestamps, framing) when sizing pages.
    internal const int LetterOverhead = 64;

    private readonly Dictionary<long, DeadLetterIndexEntry> _bySequence = [];
    // A tree beside the dictionary: pages start anywhere in O(log n) and an upsert or removal costs O(log n),
    // where a sorted list would shift its array on every insertion below the newest.
    private readonly SortedSet<long> _order = [];
    private readonly Dictionary<Guid, long> _highest = [];
    // Bodies kept in memory: letters of an old-format snapshot (and of Add without a journal position).
    private readonly Dictionary<long, DeadLetter> _bodies = [];
    // Per DeadLettersAdded event still holding a letter: how many it holds; the journal is kept from the oldest.
    private readonly Dictionary<long, int> _heldByEvent = [];
    private readonly SortedSet<long> _holdingEvents = [];
    // Per such event the bytes of all its letters (what reading it back buffers): exact for events applied by this
    // store, the held letters' bytes for events known from a snapshot (the others' sizes are not kept).
    private readonly Dictionary<long, long> _eventBytes = [];

    public int Count => _bySequence.Count;

    /// <summary>Letters whose body is kept in memory.</summary>
    public int InMemory => _bodies.Count;

    /// <summary>The journal position of the oldest event that still holds a letter; null when none does.</summary>
    public long? OldestHoldingEvent => _holdingEvents.Count == 0 ? null : _holdingEvents.Min;

    /// <summary>Bytes that reading event <paramref name="journalSeqNr"/> back buffers, estimated (see above).</summary>
    public long EventBytes(long journalSeqNr) => _eventBytes.GetValueOrDefault(journalSeqNr);

    /// <summary>The highest id stored for <paramref name="incarnation"/> with every id below it; 0 when none.</summary>
    public long HighestId(Guid incarnation) => _highest.GetValueOrDefault(incarnation);

    /// <summary>Every incarnation seen, with its highest id.</summary>
    public IEnumerable<DeadLetterIncarnation> Incarnations =>
        _highest.Select(e => new DeadLetterIncarnation(e.Key, e.Value));

    /// <summary>Every letter's index entry, ordered by message sequence.</summary>
    public IEnumerable<DeadLetterIndexEntry> All => _order.Select(sequence => _bySequence[sequence]);

    /// <summary>Every message sequence that has a letter, ascending.</summary>
    public IEnumerable<long> Sequences => _order;

    public bool TryGet(long sequence, [MaybeNullWhen(false)] out DeadLetterIndexEntry entry) => _bySequence.TryGetValue(sequence, out entry);

    /// <summary>The body of <paramref name="entry"/> when it is kept in memory (JournalSeqNr 0).</summary>
    public bool TryGetBody(DeadLetterIndexEntry entry, [MaybeNullWhen(false)] out DeadLetter letter) =>
        _bodies.TryGetValue(entry.Sequence, out letter) && letter.Id == entry.Id && entry.JournalSeqNr == 0;

    public bool Contains(long sequence) => _bySequence.ContainsKey(sequence);

    /// <summary>The letters after <paramref name="afterSequence"/>, ordered by message sequence.</summary>
    public IEnumerable<DeadLetterIndexEntry> After(long afterSequence)
    {
        if (afterSequence == long.MaxValue || _order.Count == 0) return [];
        var from = Math.Max(afterSequence + 1, _order.Min);
        return from > _order.Max ? [] : _order.GetViewBetween(from, _order.Max).Select(sequence => _bySequence[sequence]);
    }

    /// <summary>Bytes a letter counts in a page: its message, its error and <see cref="LetterOverhead"/>.</summary>
    public static long PageBytes(DeadLetterIndexEntry entry) => (long)entry.MessageSize + entry.ErrorLength + LetterOverhead;

    /// <summary>
    /// Up to <paramref name="limit"/> letters after <paramref name="afterSequence"/>, stopping before
    /// <paramref name="maxBytes"/> (at least one letter), so a page fits a remote frame however large the messages
    /// are; <c>NextAfter</c> is where the next page continues, null when this one reached the end.
    /// </summary>
    public (ImmutableArray<DeadLetterIndexEntry> Letters, long? NextAfter) Page(long afterSequence, int limit, long maxBytes)
    {
        var page = ImmutableArray.CreateBuilder<DeadLetterIndexEntry>(Math.Min(limit, Count));
        long bytes = 0;
        foreach (var entry in After(afterSequence))
        {
            var size = PageBytes(entry);
            if (page.Count == limit || (page.Count > 0 && bytes + size > maxBytes))
            {
                var nextAfter = page[^1].Sequence;
                return (page.DrainToImmutable(), nextAfter);
            }
            page.Add(entry);
            bytes += size;
        }
        return (page.DrainToImmutable(), null);
    }

    /// <summary>
    /// The requested sequences that have a letter (ascending) and those that have none (in request order);
    /// every letter when <paramref name="sequences"/> is empty.
    /// </summary>
    public (long[] Found, ImmutableArray<long> NotFound) Resolve(ImmutableArray<long> sequences)
    {
        if (sequences.IsDefaultOrEmpty) return (_order.ToArray(), []);
        var found = new List<long>();
        var notFound = ImmutableArray.CreateBuilder<long>();
        var seen = new HashSet<long>();
        foreach (var sequence in sequences)
        {
            if (!seen.Add(sequence)) continue;
            if (Contains(sequence)) found.Add(sequence);
            else notFound.Add(sequence);
        }
        found.Sort();
        return (found.ToArray(), notFound.ToImmutable());
    }

    /// <summary>
    /// The letters of a <see cref="StoreDeadLetters"/> that extend the incarnation's run, in order: those with ids
    /// up to the highest stored are resends (skipped); the next id is taken; an id past the next one means an
    /// earlier send was lost, so nothing from there on is taken (the topic resends in order). Changes nothing.
    /// </summary>
    public ImmutableArray<DeadLetter> Continuation(Guid incarnation, ImmutableArray<DeadLetter> letters, out bool gap)
    {
        gap = false;
        if (letters.IsDefaultOrEmpty) return [];
        var highest = HighestId(incarnation);
        ImmutableArray<DeadLetter>.Builder? taken = null;
        foreach (var letter in letters)
        {
            if (letter.Id <= highest) continue;
            if (letter.Id != highest + 1)
            {
                gap = true;
                break;
            }
            (taken ??= ImmutableArray.CreateBuilder<DeadLetter>()).Add(letter);
            highest = letter.Id;
        }
        return taken?.ToImmutable() ?? [];
    }

    /// <summary>
    /// Applies <see cref="DeadLettersAdded"/>, written at <paramref name="journalSeqNr"/>: upserts each letter by
    /// sequence and advances the run. Only the index is kept, the bodies stay in that event; with journal position 0
    /// (no event to read back) the bodies are kept in memory.
    /// </summary>
    public void Add(DeadLettersAdded e, long journalSeqNr = 0)
    {
        if (e.Letters.IsDefaultOrEmpty) return;
        foreach (var letter in e.Letters) Put(letter, journalSeqNr);
        // After the puts: a letter replaced by one of the same event does not count twice, but its bytes were read.
        if (journalSeqNr != 0 && _heldByEvent.ContainsKey(journalSeqNr))
            _eventBytes[journalSeqNr] = e.Letters.Sum(l => (long)l.Message.Size + l.LastError.Length + LetterOverhead);
        var last = e.Letters[^1].Id;
        if (last > HighestId(e.Incarnation)) _highest[e.Incarnation] = last;
    }

    /// <summary>Applies <see cref="DeadLettersRemoved"/>.</summary>
    public void Remove(DeadLettersRemoved e)
    {
        if (e.Sequences.IsDefaultOrEmpty) return;
        foreach (var sequence in e.Sequences)
            if (_bySequence.Remove(sequence, out var entry))
            {
                _order.Remove(sequence);
                Release(entry);
            }
    }

    public void Restore(DeadLetterSnapshot snapshot)
    {
        _bySequence.Clear();
        _order.Clear();
        _highest.Clear();
        _bodies.Clear();
        _heldByEvent.Clear();
        _holdingEvents.Clear();
        _eventBytes.Clear();
        if (!snapshot.Incarnations.IsDefault)
            foreach (var incarnation in snapshot.Incarnations) _highest[incarnation.Incarnation] = incarnation.HighestId;
        if (!snapshot.Letters.IsDefault)
            foreach (var letter in snapshot.Letters) Put(letter, journalSeqNr: 0);
        foreach (var entry in snapshot.Index) Put(entry, body: null);
    }

    /// <summary>The index, and the bodies kept in memory (they have no event left in the journal).</summary>
    public DeadLetterSnapshot ToSnapshot() => new(
        [.. Incarnations],
        [.. All.Where(e => e.JournalSeqNr == 0).Select(e => _bodies[e.Sequence])],
        [.. All.Where(e => e.JournalSeqNr != 0)]);

    private void Put(DeadLetter letter, long journalSeqNr)
    {
        var entry = new DeadLetterIndexEntry(letter.Message.Sequence, letter.Id, journalSeqNr, letter.Message.Size, letter.LastError.Length);
        Put(entry, journalSeqNr == 0 ? letter : null);
    }

    private void Put(DeadLetterIndexEntry entry, DeadLetter? body)
    {
        var sequence = entry.Sequence;
        if (_bySequence.Remove(sequence, out var replaced)) Release(replaced);
        else _order.Add(sequence);
        _bySequence[sequence] = entry;
        if (entry.JournalSeqNr == 0)
        {
            if (body is null) throw new InvalidOperationException($"Dead letter {sequence} has neither a journal position nor a body.");
            _bodies[sequence] = body;
        }
        else
        {
            if (_heldByEvent.TryGetValue(entry.JournalSeqNr, out var held)) _heldByEvent[entry.JournalSeqNr] = held + 1;
            else
            {
                _heldByEvent[entry.JournalSeqNr] = 1;
                _holdingEvents.Add(entry.JournalSeqNr);
            }
            _eventBytes[entry.JournalSeqNr] = _eventBytes.GetValueOrDefault(entry.JournalSeqNr) + PageBytes(entry);
        }
    }

    // The letter of this entry left (or was replaced): its body or its event's hold goes.
    private void Release(DeadLetterIndexEntry entry)
    {
        if (entry.JournalSeqNr == 0)
        {
            _bodies.Remove(entry.Sequence);
            return;
        }
        var held = _heldByEvent[entry.JournalSeqNr] - 1;
        if (held > 0) _heldByEvent[entry.JournalSeqNr] = held;
        else
        {
            _heldByEvent.Remove(entry.JournalSeqNr);
            _holdingEvents.Remove(entry.JournalSeqNr);
            _eventBytes.Remove(entry.JournalSeqNr);
        }
    }
}
