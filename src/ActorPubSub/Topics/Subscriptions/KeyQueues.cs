namespace ActorPubSub.Topics.Subscriptions;

/// <summary>
/// Ordering by key: per key, the messages taken from the log in order and not done yet. Only the head of a
/// key's queue may be delivered; the next goes when it is done or dead-lettered.
/// </summary>
internal sealed class KeyQueues
{
    private readonly Dictionary<string, Queue<long>> _queues = new(StringComparer.Ordinal);

    /// <summary>Queues <paramref name="sequence"/> behind its key; true when it is the head (may go now).</summary>
    public bool Enqueue(string key, long sequence)
    {
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

    public void Clear() => _queues.Clear();
}
