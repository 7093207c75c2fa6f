using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using ActorPubSub.Messages;
using ActorPubSub.Topics;

namespace ActorPubSub.DeadLetters;

/// <summary>
/// The in-memory state of one dead-letter store: the letters keyed and ordered by message sequence, and per
/// subscription incarnation the highest id of its gap-free run. Changed only by applying journal events, so
/// recovery rebuilds exactly what was confirmed.
/// </summary>
internal sealed class DeadLetterStore
{
    // Bytes counted per letter beyond its message (ids, attempts, timestamps, framing) when sizing pages.
    private const int LetterOverhead = 64;

    private readonly Dictionary<long, DeadLetter> _bySequence = [];
    // A tree beside the dictionary: pages start anywhere in O(log n) and an upsert or removal costs O(log n),
    // where a sorted list would shift its array on every insertion below the newest.
    private readonly SortedSet<long> _order = [];
    private readonly Dictionary<Guid, long> _highest = [];

    public int Count => _bySequence.Count;

    /// <summary>The highest id stored for <paramref name="incarnation"/> with every id below it; 0 when none.</summary>
    public long HighestId(Guid incarnation) => _highest.GetValueOrDefault(incarnation);

    /// <summary>Every incarnation seen, with its highest id.</summary>
    public IEnumerable<DeadLetterIncarnation> Incarnations =>
        _highest.Select(e => new DeadLetterIncarnation(e.Key, e.Value));

    /// <summary>Every letter, ordered by message sequence.</summary>
    public IEnumerable<DeadLetter> All => _order.Select(sequence => _bySequence[sequence]);

    /// <summary>Every message sequence that has a letter, ascending.</summary>
    public IEnumerable<long> Sequences => _order;

    public bool TryGet(long sequence, [MaybeNullWhen(false)] out DeadLetter letter) => _bySequence.TryGetValue(sequence, out letter);

    public bool Contains(long sequence) => _bySequence.ContainsKey(sequence);

    /// <summary>The letters after <paramref name="afterSequence"/>, ordered by message sequence.</summary>
    public IEnumerable<DeadLetter> After(long afterSequence)
    {
        if (afterSequence == long.MaxValue || _order.Count == 0) return [];
        var from = Math.Max(afterSequence + 1, _order.Min);
        return from > _order.Max ? [] : _order.GetViewBetween(from, _order.Max).Select(sequence => _bySequence[sequence]);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> letters after <paramref name="afterSequence"/>, stopping before
    /// <paramref name="maxBytes"/> (at least one letter), so a page fits a remote frame however large the messages
    /// are; <c>NextAfter</c> is where the next page continues, null when this one reached the end.
    /// </summary>
    public (ImmutableArray<DeadLetter> Letters, long? NextAfter) Page(long afterSequence, int limit, long maxBytes)
    {
        var page = ImmutableArray.CreateBuilder<DeadLetter>(Math.Min(limit, Count));
        long bytes = 0;
        foreach (var letter in After(afterSequence))
        {
            var size = letter.Message.Size + letter.LastError.Length + LetterOverhead;
            if (page.Count == limit || (page.Count > 0 && bytes + size > maxBytes))
            {
                var nextAfter = page[^1].Message.Sequence;
                return (page.DrainToImmutable(), nextAfter);
            }
            page.Add(letter);
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

    /// <summary>Applies <see cref="DeadLettersAdded"/>: upserts each letter by sequence and advances the run.</summary>
    public void Add(DeadLettersAdded e)
    {
        if (e.Letters.IsDefaultOrEmpty) return;
        foreach (var letter in e.Letters) Put(letter);
        var last = e.Letters[^1].Id;
        if (last > HighestId(e.Incarnation)) _highest[e.Incarnation] = last;
    }

    /// <summary>Applies <see cref="DeadLettersRemoved"/>.</summary>
    public void Remove(DeadLettersRemoved e)
    {
        if (e.Sequences.IsDefaultOrEmpty) return;
        foreach (var sequence in e.Sequences)
            if (_bySequence.Remove(sequence)) _order.Remove(sequence);
    }

    public void Restore(DeadLetterSnapshot snapshot)
    {
        _bySequence.Clear();
        _order.Clear();
        _highest.Clear();
        if (!snapshot.Incarnations.IsDefault)
            foreach (var incarnation in snapshot.Incarnations) _highest[incarnation.Incarnation] = incarnation.HighestId;
        if (!snapshot.Letters.IsDefault)
            foreach (var letter in snapshot.Letters) Put(letter);
    }

    public DeadLetterSnapshot ToSnapshot() => new([.. Incarnations], [.. All]);

    private void Put(DeadLetter letter)
    {
        var sequence = letter.Message.Sequence;
        if (_bySequence.TryAdd(sequence, letter)) _order.Add(sequence);
        else _bySequence[sequence] = letter;
    }
}
