namespace ActorPubSub.Topics.Subscriptions;

/// <summary>
/// Ordering by key: per key, the messages taken from the log in order and not done yet. Only the head of a
/// key's queue may be delivered; the next goes when it is done or dead-lettered.
/// </summary>
internal sealed class KeyQueues
{
    /// <summary>
    /// How many messages may wait behind their keys: past it the subscription's cursor stops until the heads are
    /// done, so a stuck key costs a bounded lookahead, not memory growing with the backlog.
    /// </summary>
    public const int MaxQueued = 10_000;

    private readonly Dictionary<string, Queue<long>> _queues = new(StringComparer.Ordinal);
    private readonly Dictionary<long, string> _keyOf = [];   // the key of every queued message (its body may be on disk)

    /// <summary>Messages queued, heads included.</summary>
    public int Queued => _keyOf.Count;

    /// <summary>The key <paramref name="sequence"/> is queued under, or null.</summary>
    public string? KeyOf(long sequence) => _keyOf.GetValueOrDefault(sequence);

    /// <summary>The queued messages below <paramref name="sequence"/> with their keys.</summary>
    public List<(long Sequence, string Key)> Below(long sequence) =>
        [.. _keyOf.Where(kv => kv.Key < sequence).OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value))];

    /// <summary>Queues <paramref name="sequence"/> behind its key; true when it is the head (may go now).</summary>
    public bool Enqueue(string key, long sequence)
    {
        _keyOf[sequence] = key;
        if (_queues.TryGetValue(key, out var queue))
        {
            queue.Enqueue(sequence);
            return false;
        }
        _queues[key] = queue = new Queue<long>();
        queue.Enqueue(sequence);
        return true;
    }

    /// <summary>True when <paramref name="sequence"/> is queued behind an earlier message of its key.</summary>
    public bool WaitsBehind(string key, long sequence) =>
        _queues.TryGetValue(key, out var queue) && queue.Peek() != sequence && queue.Contains(sequence);

    /// <summary>
    /// The message left its key's queue (done or dead-lettered). Returns the new head of the key, or null when
    /// the message was not queued or the key has nothing more.
    /// </summary>
    public long? Release(string key, long sequence)
    {
        if (!_queues.TryGetValue(key, out var queue)) return null;
        _keyOf.Remove(sequence);
        if (queue.Peek() == sequence) queue.Dequeue();
        else if (queue.Contains(sequence))
        {
            var rest = queue.Where(s => s != sequence).ToArray();
            queue.Clear();
            foreach (var s in rest) queue.Enqueue(s);
        }
        else return null;
        if (queue.Count > 0) return queue.Peek();
        _queues.Remove(key);
        return null;
    }

    public void Clear()
    {
        _queues.Clear();
        _keyOf.Clear();
    }
}
