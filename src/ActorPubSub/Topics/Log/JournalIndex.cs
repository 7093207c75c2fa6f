using ActorPubSub.Messages;

namespace ActorPubSub.Topics.Log;

/// <summary>
/// Where each retained message of a topic lies in its journal: the chunks of the log, oldest first. Its size grows
/// with the retained bytes divided by the page size (a 10 GiB backlog in 256 KiB pages is 40,000 chunks, about
/// 3 MB), never with the number of messages.
/// </summary>
internal sealed class JournalIndex(long pageBytes)
{
    private readonly List<LogChunk> _chunks = [];
    private int _head;   // _chunks[.._head] were dropped; compacted when they are half the list

    public int Count => _chunks.Count - _head;

    /// <summary>Message bytes of every chunk held (a partly dropped chunk counts whole).</summary>
    public long Bytes { get; private set; }

    public LogChunk? First => Count == 0 ? null : _chunks[_head];

    public LogChunk? Last => Count == 0 ? null : _chunks[^1];

    public IEnumerable<LogChunk> All
    {
        get
        {
            for (var i = _head; i < _chunks.Count; i++) yield return _chunks[i];
        }
    }

    /// <summary>
    /// The journal event <paramref name="journalSeqNr"/> wrote <paramref name="messages"/> (consecutive sequences that
    /// follow the last chunk): they extend the last chunk while it is under the page size, else open a new one.
    /// </summary>
    public void Append(long journalSeqNr, IReadOnlyList<TopicMessage> messages)
    {
        long bytes = 0;
        foreach (var m in messages) bytes += m.Size;
        Append(journalSeqNr, messages, bytes);
    }

    /// <summary>As <see cref="Append(long, IReadOnlyList{TopicMessage})"/>, with the messages' <paramref name="bytes"/> known.</summary>
    public void Append(long journalSeqNr, IReadOnlyList<TopicMessage> messages, long bytes)
    {
        if (messages.Count == 0) return;
        var first = messages[0];
        var last = messages[^1];
        if (Last is { } open && open.Bytes < pageBytes && open.LastSequence + 1 == first.Sequence)
        {
            _chunks[^1] = open with
            {
                LastSequence = last.Sequence, LastJournalSeqNr = journalSeqNr, Bytes = open.Bytes + bytes,
                LastTimestamp = last.Timestamp,
            };
            Bytes += bytes;
            return;
        }
        // Refused before anything is counted: the index stays what it was.
        if (Last is { } previous && previous.LastSequence >= first.Sequence)
            throw new InvalidOperationException(
                $"Log index out of order: messages from {first.Sequence} after a chunk ending at {previous.LastSequence}.");
        Bytes += bytes;
        _chunks.Add(new LogChunk(first.Sequence, last.Sequence, journalSeqNr, journalSeqNr, bytes, first.Timestamp, last.Timestamp));
    }

    /// <summary>The chunk holding <paramref name="sequence"/>, or null.</summary>
    public LogChunk? Find(long sequence)
    {
        var lo = _head;
        var hi = _chunks.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = _chunks[mid];
            if (sequence < c.FirstSequence) hi = mid - 1;
            else if (sequence > c.LastSequence) lo = mid + 1;
            else return c;
        }
        return null;
    }

    /// <summary>The chunk after <paramref name="chunk"/>, or null.</summary>
    public LogChunk? After(LogChunk chunk) => Find(chunk.LastSequence + 1);

    /// <summary>The first chunk with a message published at or after <paramref name="utc"/>, or null.</summary>
    public LogChunk? FirstAtOrAfter(DateTime utc)
    {
        for (var i = _head; i < _chunks.Count; i++)
            if (_chunks[i].LastTimestamp >= utc) return _chunks[i];
        return null;
    }

    /// <summary>The last sequence published before <paramref name="utc"/> as far as whole chunks tell (0: none).</summary>
    public long LastWhollyBefore(DateTime utc)
    {
        long last = 0;
        for (var i = _head; i < _chunks.Count && _chunks[i].LastTimestamp < utc; i++) last = _chunks[i].LastSequence;
        return last;
    }

    /// <summary>
    /// The last sequence to drop so that at most <paramref name="maxBytes"/> stay, in whole chunks from the
    /// oldest (0: nothing to drop).
    /// </summary>
    public long LastToDropForBytes(long maxBytes)
    {
        var bytes = Bytes;
        long last = 0;
        for (var i = _head; i < _chunks.Count && bytes > maxBytes; i++)
        {
            bytes -= _chunks[i].Bytes;
            last = _chunks[i].LastSequence;
        }
        return last;
    }

    /// <summary>Drops the chunks wholly below <paramref name="firstSequence"/>.</summary>
    public void DropBelow(long firstSequence)
    {
        while (_head < _chunks.Count && _chunks[_head].LastSequence < firstSequence)
        {
            Bytes -= _chunks[_head].Bytes;
            _chunks[_head++] = null!;
        }
        if (_head > 64 && _head * 2 > _chunks.Count)
        {
            _chunks.RemoveRange(0, _head);
            _head = 0;
        }
    }

    public void Restore(IEnumerable<LogChunk> chunks)
    {
        _chunks.Clear();
        _head = 0;
        Bytes = 0;
        foreach (var c in chunks)
        {
            _chunks.Add(c);
            Bytes += c.Bytes;
        }
    }
}
