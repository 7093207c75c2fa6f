using System.Buffers;
using System.Collections.Immutable;
using Akka.Persistence;
using ActorPubSub.Memory;
using ActorPubSub.Messages;

namespace ActorPubSub.Topics.Log;

/// <summary>
/// A topic's log: every retained message, <see cref="FirstSequence"/>..<see cref="LastSequence"/>. The journal is
/// the log; in memory are only the newest messages (<see cref="HotWindow"/>), chunks read back for subscriptions
/// behind it (<see cref="ReadCache"/>), and where each chunk lies in the journal (<see cref="JournalIndex"/>).
/// A lookup that misses memory registers the chunk as wanted; the topic reads it (<see cref="NextRead"/>,
/// <see cref="PageRead"/>) and pumps again. Not thread-safe: owned by one TopicActor.
/// </summary>
/// <remarks>
/// Topics written before the journal was the log kept their retained messages in snapshots only; those come back
/// as pinned messages, held in memory (as they were) until they leave the log.
/// </remarks>
internal sealed class MessageLog
{
    private readonly LogSettings _settings;
    private readonly NodeMemory? _memory;
    private readonly HotWindow _window = new();
    private readonly ReadCache _cache = new();
    private readonly SortedSet<long> _wants = [];        // first sequences of chunks to read back
    private readonly List<TopicMessage> _pinned = [];     // consecutive; from a snapshot of the old format
    private long _pinnedBytes;
    private LogChunk? _reading;

    /// <param name="memory">The node's budget; null: not counted (tests of the log alone).</param>
    public MessageLog(LogSettings settings, NodeMemory? memory)
    {
        _settings = settings;
        _memory = memory;
        Index = new JournalIndex(settings.PageBytes);
    }

    public JournalIndex Index { get; }

    /// <summary>Sequence of the oldest retained message; <see cref="LastSequence"/> + 1 when empty.</summary>
    public long FirstSequence { get; private set; } = 1;

    /// <summary>Sequence of the newest written message (0: none yet).</summary>
    public long LastSequence { get; private set; }

    public long Count => Math.Max(0, LastSequence - FirstSequence + 1);

    /// <summary>Message bytes retained on disk (whole chunks: a partly dropped chunk counts until it is gone).</summary>
    public long Bytes => Index.Bytes + _pinnedBytes;

    /// <summary>Heap bytes held: window, read-back pages and pinned messages.</summary>
    public long Held => _window.Bytes + _cache.Bytes + _pinnedBytes;

    public int WindowCount => _window.Count;

    public IReadOnlyList<TopicMessage> Pinned => _pinned;

    public bool Contains(long sequence) => sequence >= FirstSequence && sequence <= LastSequence;

    /// <summary>
    /// The message when it is in memory; otherwise false, and its chunk is wanted (<see cref="NextRead"/>).
    /// </summary>
    public bool TryGet(long sequence, out TopicMessage message)
    {
        if (!Contains(sequence))
        {
            message = null!;
            return false;
        }
        if (_window.TryGet(sequence, out message) || TryPinned(sequence, out message)) return true;
        if (_cache.TryGet(sequence, out message, out var page))
        {
            // Past the middle of a page: read the next one ahead, so a catching-up subscription does not wait.
            if (sequence - page!.FirstSequence >= page.Count / 2 && Index.After(page) is { } next &&
                next.FirstSequence < _window.FirstSequence && !_cache.Covers(next.FirstSequence) &&
                _reading?.Contains(next.FirstSequence) != true)
                _wants.Add(next.FirstSequence);
            return true;
        }
        if (Index.Find(sequence) is { } chunk) _wants.Add(chunk.FirstSequence);
        return false;
    }

    /// <summary>When <paramref name="sequence"/> was published: exact when in memory, else its chunk's first message's time.</summary>
    public DateTime? TimestampOf(long sequence)
    {
        if (!Contains(sequence)) return null;
        return Peek(sequence, out var m) ? m.Timestamp : Index.Find(sequence)?.FirstTimestamp;
    }

    /// <summary>
    /// The last retained sequence published before <paramref name="utc"/> (0: none): whole chunks by their last
    /// message's time, then message by message as far as they are in memory (never later than the truth).
    /// </summary>
    public long LastBefore(DateTime utc)
    {
        long last = 0;
        foreach (var m in _pinned)
        {
            if (m.Timestamp >= utc) return last;
            last = m.Sequence;
        }
        last = Math.Max(last, Index.LastWhollyBefore(utc));
        for (var seq = Math.Max(last + 1, FirstSequence); seq <= LastSequence; seq++)
        {
            if (!Peek(seq, out var m) || m.Timestamp >= utc) break;
            last = seq;
        }
        return last;
    }

    /// <summary>
    /// The last sequence to drop so that at most <paramref name="maxBytes"/> stay: pinned messages first, then whole
    /// chunks from the oldest (0: nothing to drop).
    /// </summary>
    public long LastToDropForBytes(long maxBytes)
    {
        var bytes = Bytes;
        long last = 0;
        foreach (var m in _pinned)
        {
            if (bytes <= maxBytes) return last;
            bytes -= m.Size;
            last = m.Sequence;
        }
        return bytes <= maxBytes ? last : Math.Max(last, Index.LastToDropForBytes(maxBytes));
    }

    /// <summary>The message when it is in memory, without wanting its chunk.</summary>
    private bool Peek(long sequence, out TopicMessage message) =>
        _window.TryGet(sequence, out message) || TryPinned(sequence, out message) || _cache.TryGet(sequence, out message, out _);

    private bool TryPinned(long sequence, out TopicMessage message)
    {
        var found = _pinned.Count > 0 && sequence >= _pinned[0].Sequence && sequence <= _pinned[^1].Sequence;
        message = found ? _pinned[(int)(sequence - _pinned[0].Sequence)] : null!;
        return found;
    }

    /// <summary>The journal event <paramref name="journalSeqNr"/> wrote (or a replay read) <paramref name="messages"/>.</summary>
    public void Appended(long journalSeqNr, ImmutableArray<TopicMessage> messages)
    {
        if (messages.IsDefaultOrEmpty) return;
        if (LastSequence > 0 && messages[0].Sequence != LastSequence + 1)
            throw new InvalidOperationException(
                $"messages {LastSequence + 1}..{messages[0].Sequence - 1} are missing before journal event {journalSeqNr}");
        // Each message is sized once here (the size walks its headers); a large batch borrows its array.
        var rented = messages.Length <= 1024 ? null : ArrayPool<int>.Shared.Rent(messages.Length);
        var sizes = rented is null ? stackalloc int[messages.Length] : rented.AsSpan(0, messages.Length);
        long bytes = 0;
        for (var i = 0; i < messages.Length; i++) bytes += sizes[i] = messages[i].Size;
        Index.Append(journalSeqNr, messages, bytes);
        if (Count == 0) FirstSequence = messages[0].Sequence;
        LastSequence = messages[^1].Sequence;
        var incoming = bytes + (long)messages.Length * HotWindow.MessageOverhead;
        // Room first, then the messages: what the node holds never passes its budget on the way.
        Evict(Allowed - incoming, keepPages: 1);
        for (var i = 0; i < messages.Length; i++) _window.Append(messages[i], sizes[i]);
        if (rented is not null) ArrayPool<int>.Shared.Return(rented);
        _memory?.Add(incoming);
        Evict(Allowed, keepPages: 1);   // a write larger than the allowance keeps only its newest messages
    }

    /// <summary>A snapshot: the log's bounds, its chunks, and messages of the old format held only there.</summary>
    public void Restore(long firstSequence, long lastSequence, IEnumerable<LogChunk> chunks, IEnumerable<TopicMessage> pinned)
    {
        Index.Restore(chunks);
        foreach (var m in pinned)
        {
            if (_pinned.Count > 0 && m.Sequence != _pinned[^1].Sequence + 1) continue;
            _pinned.Add(m);
            _pinnedBytes += m.Size;
        }
        _memory?.Add(_pinnedBytes);
        LastSequence = lastSequence;
        FirstSequence = Math.Min(firstSequence, lastSequence + 1);
        if (_pinned.Count > 0) FirstSequence = Math.Min(FirstSequence, _pinned[0].Sequence);
        DropBelow(FirstSequence);
    }

    /// <summary>Drops every message below <paramref name="firstSequence"/> from the log.</summary>
    public void DropBelow(long firstSequence)
    {
        if (firstSequence > LastSequence + 1) firstSequence = LastSequence + 1;
        if (firstSequence > FirstSequence) FirstSequence = firstSequence;
        Index.DropBelow(FirstSequence);
        var freed = _window.RemoveBelow(FirstSequence) + _cache.RemoveBelow(FirstSequence);
        while (_pinned.Count > 0 && _pinned[0].Sequence < FirstSequence)
        {
            freed += _pinned[0].Size;
            _pinnedBytes -= _pinned[0].Size;
            _pinned.RemoveAt(0);
        }
        _memory?.Add(-freed);
        while (_wants.Count > 0 && Index.Find(_wants.Min) is null) _wants.Remove(_wants.Min);
    }

    /// <summary>
    /// The journal up to here holds no retained message (events of chunks dropped before it): what may be deleted
    /// once a snapshot covers the other events.
    /// </summary>
    public long JournalNotNeededUpTo(long snapshotJournalSeqNr) =>
        Index.First is { } first ? Math.Min(snapshotJournalSeqNr, first.FirstJournalSeqNr - 1) : snapshotJournalSeqNr;

    // ---------------------------------------------------------------- reading back

    public bool HasWants => _wants.Count > 0;

    /// <summary>The chunk being read back, or null.</summary>
    public LogChunk? Reading => _reading;

    /// <summary>
    /// The next range to read (the oldest wanted chunk, and the chunks after it that are not in memory either, up to
    /// <see cref="LogSettings.ReadPages"/> pages: fewer, larger reads), or null while one is being read or none is wanted.
    /// </summary>
    public LogChunk? NextRead()
    {
        if (_reading is not null) return null;
        while (_wants.Count > 0)
        {
            var first = _wants.Min;
            _wants.Remove(first);
            if (Index.Find(first) is not { } chunk || chunk.LastSequence < FirstSequence) continue;
            if (_cache.Covers(chunk.FirstSequence) && _cache.Covers(chunk.LastSequence)) continue;
            var range = chunk;
            for (var n = 1; n < _settings.ReadPages && Index.After(range) is { } next && next.FirstSequence < _window.FirstSequence &&
                            !_cache.Covers(next.FirstSequence) && range.Bytes + next.Bytes <= _settings.ReadPages * _settings.PageBytes; n++)
            {
                range = range with
                {
                    LastSequence = next.LastSequence, LastJournalSeqNr = next.LastJournalSeqNr, Bytes = range.Bytes + next.Bytes,
                    LastTimestamp = next.LastTimestamp,
                };
                _wants.Remove(next.FirstSequence);
            }
            return _reading = range;
        }
        return null;
    }


    /// <summary>
    /// The journal events of the chunk being read: its messages go to the cache. Returns null, or what is missing
    /// (the journal lost a range it should hold: the caller stops the topic rather than skip it).
    /// </summary>
    public string? PageRead(LogChunk chunk, IReadOnlyList<IPersistentRepresentation> events)
    {
        if (_reading?.FirstSequence == chunk.FirstSequence) _reading = null;
        var from = Math.Max(chunk.FirstSequence, FirstSequence);
        if (from > chunk.LastSequence) return null;   // dropped meanwhile
        var messages = new TopicMessage[chunk.LastSequence - from + 1];
        var found = 0;
        foreach (var e in events)
        {
            if (e.Payload is not MessagesAppended appended) continue;
            foreach (var m in appended.Messages)
            {
                if (m.Sequence < from || m.Sequence > chunk.LastSequence) continue;
                var i = m.Sequence - from;
                if (messages[i] is null) found++;
                messages[i] = m;
            }
        }
        if (found != messages.Length)
        {
            var missing = Array.FindIndex(messages, m => m is null) + from;
            return $"messages {from}..{chunk.LastSequence} (journal events {chunk.FirstJournalSeqNr}..{chunk.LastJournalSeqNr}): " +
                   $"{messages.Length - found} missing, the first is {missing}";
        }
        long incoming = 0;
        foreach (var m in messages) incoming += HotWindow.Cost(m);
        Evict(Allowed - incoming, keepPages: 0);
        var added = _cache.Add(chunk, messages);   // (not inside ?.: without a budget the call would be skipped)
        _memory?.Add(added);
        return null;
    }

    /// <summary>A read failed: the chunk is wanted again (the next tick retries it).</summary>
    public void ReadFailed(LogChunk chunk)
    {
        if (_reading?.FirstSequence == chunk.FirstSequence) _reading = null;
        _wants.Add(chunk.FirstSequence);
    }

    // ---------------------------------------------------------------- memory

    /// <summary>
    /// What the topic may hold: <c>window-bytes</c>, and no more than an equal share of the node's budget among the
    /// live topics, so the node's total stays within the budget whatever the backlogs.
    /// </summary>
    public long Allowed => _memory is null ? _settings.WindowBytes : Math.Min(_settings.WindowBytes, _memory.Share);

    /// <summary>Shrinks to <see cref="Allowed"/> (the share changes as topics start and stop).</summary>
    public void Fit() => Evict(Allowed, keepPages: 1);

    /// <summary>
    /// Gives memory back until at most <paramref name="target"/> is held: least recently used pages while they hold more
    /// than half of it, then the window's oldest, then pages but the last <paramref name="keepPages"/>, so a subscription
    /// behind always makes progress (a topic may hold one page beyond its share).
    /// </summary>
    private void Evict(long target, int keepPages)
    {
        long freed = 0;
        // Pages read back first, down to half: they serve the subscriptions behind, the window the ones that keep up.
        while (_window.Bytes + _cache.Bytes > target && _cache.Bytes > target / 2 && _cache.Count > keepPages)
            freed += _cache.RemoveLeastRecentlyUsed();
        while (_window.Bytes + _cache.Bytes > target && _window.Count > 0) freed += _window.RemoveOldest();
        while (_window.Bytes + _cache.Bytes > target && _cache.Count > keepPages) freed += _cache.RemoveLeastRecentlyUsed();
        _memory?.Add(-freed);
    }

    /// <summary>The topic stops: everything held is given back to the node's budget.</summary>
    public void Release()
    {
        var freed = _window.Clear() + _cache.Clear() + _pinnedBytes;
        _pinned.Clear();
        _pinnedBytes = 0;
        _memory?.Add(-freed);
    }
}
