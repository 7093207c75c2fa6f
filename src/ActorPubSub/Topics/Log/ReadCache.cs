using ActorPubSub.Messages;

namespace ActorPubSub.Topics.Log;

/// <summary>
/// Chunks of the log read back from the journal for subscriptions behind the <see cref="HotWindow"/>, shared by
/// every subscription of the topic; the least recently used goes first when the topic must give memory back.
/// </summary>
internal sealed class ReadCache
{
    private sealed class Page(LogChunk chunk, TopicMessage[] messages, long bytes)
    {
        public readonly LogChunk Chunk = chunk;
        public readonly TopicMessage[] Messages = messages;   // consecutive sequences from Messages[0].Sequence
        public readonly long Bytes = bytes;
        public long LastUse;
    }

    private readonly List<Page> _pages = [];
    private long _clock;

    public int Count => _pages.Count;

    /// <summary>Heap bytes held, estimated like the window's.</summary>
    public long Bytes { get; private set; }

    /// <summary>True when a page holds <paramref name="sequence"/> (without counting as a use).</summary>
    public bool Covers(long sequence) =>
        _pages.Exists(p => p.Messages.Length > 0 && sequence >= p.Messages[0].Sequence && sequence <= p.Messages[^1].Sequence);

    /// <summary>Finds <paramref name="sequence"/>; <paramref name="chunk"/> is the page it was found in.</summary>
    public bool TryGet(long sequence, out TopicMessage message, out LogChunk? chunk)
    {
        foreach (var page in _pages)
        {
            if (page.Messages.Length == 0) continue;
            var index = sequence - page.Messages[0].Sequence;
            if (index < 0 || index >= page.Messages.Length) continue;
            page.LastUse = ++_clock;
            message = page.Messages[index];
            chunk = page.Chunk;
            return true;
        }
        message = null!;
        chunk = null;
        return false;
    }

    /// <summary>Adds a chunk read back: its messages from the first still retained, consecutive. Returns its cost.</summary>
    public long Add(LogChunk chunk, TopicMessage[] messages)
    {
        long bytes = 0;
        foreach (var m in messages) bytes += HotWindow.Cost(m);
        _pages.Add(new Page(chunk, messages, bytes) { LastUse = ++_clock });
        Bytes += bytes;
        return bytes;
    }

    /// <summary>Removes the least recently used page; returns its cost (0 when empty).</summary>
    public long RemoveLeastRecentlyUsed()
    {
        if (_pages.Count == 0) return 0;
        var oldest = 0;
        for (var i = 1; i < _pages.Count; i++)
            if (_pages[i].LastUse < _pages[oldest].LastUse) oldest = i;
        var page = _pages[oldest];
        _pages.RemoveAt(oldest);
        Bytes -= page.Bytes;
        return page.Bytes;
    }

    /// <summary>Removes the pages wholly below <paramref name="sequence"/>; returns their cost.</summary>
    public long RemoveBelow(long sequence)
    {
        long freed = 0;
        for (var i = _pages.Count - 1; i >= 0; i--)
        {
            if (_pages[i].Chunk.LastSequence >= sequence) continue;
            freed += _pages[i].Bytes;
            _pages.RemoveAt(i);
        }
        Bytes -= freed;
        return freed;
    }

    public long Clear()
    {
        var freed = Bytes;
        _pages.Clear();
        Bytes = 0;
        return freed;
    }
}
