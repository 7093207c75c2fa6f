using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Client.Idempotency;

/// <summary>
/// The keys of messages already processed, with bounded memory: at most <see cref="Capacity"/> keys (adding one
/// more forgets the least recently added) and each for at most <see cref="Ttl"/>. Thread-safe.
/// </summary>
/// <remarks>
/// Age is measured with <see cref="TimeProvider.GetTimestamp"/>, a monotonic clock, so a wall-clock jump neither
/// forgets everything nor keeps keys forever. Keys are kept in the order they were added; since every key lives
/// for the same <see cref="Ttl"/>, that is also the order they expire in, and both eviction and expiry remove
/// from the front.
/// </remarks>
public sealed class ProcessedMessageCache
{
    private readonly record struct Entry(string Key, long AddedAt);

    private readonly TimeProvider _clock;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _byKey = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _oldestFirst = new();

    /// <param name="capacity">Most keys remembered; at least 1.</param>
    /// <param name="ttl">How long a key is remembered; more than zero. A key exactly this old is forgotten.</param>
    /// <param name="timeProvider">The clock. <b>Default:</b> <see cref="TimeProvider.System"/>.</param>
    public ProcessedMessageCache(int capacity, TimeSpan ttl, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        (Capacity, Ttl, _clock) = (capacity, ttl, timeProvider ?? TimeProvider.System);
    }

    public int Capacity { get; }

    public TimeSpan Ttl { get; }

    /// <summary>Keys remembered now (expired ones are not counted).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                RemoveExpired();
                return _byKey.Count;
            }
        }
    }

    /// <summary>Whether <paramref name="key"/> was added less than <see cref="Ttl"/> ago and not evicted since.</summary>
    public bool Contains(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            RemoveExpired();
            return _byKey.ContainsKey(key);
        }
    }

    /// <summary>Remembers <paramref name="key"/> from now on; adding a key again restarts its time and makes it the newest.</summary>
    public void Add(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            RemoveExpired();
            if (_byKey.Remove(key, out var existing)) _oldestFirst.Remove(existing);
            else if (_byKey.Count == Capacity) RemoveOldest();
            _byKey[key] = _oldestFirst.AddLast(new Entry(key, _clock.GetTimestamp()));
        }
    }

    /// <summary>Forgets <paramref name="key"/>; returns whether it was remembered.</summary>
    public bool Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            if (!_byKey.Remove(key, out var node)) return false;
            _oldestFirst.Remove(node);
            return true;
        }
    }

    private void RemoveExpired()
    {
        var now = _clock.GetTimestamp();
        while (_oldestFirst.First is { } oldest && _clock.GetElapsedTime(oldest.Value.AddedAt, now) >= Ttl)
            RemoveOldest();
    }

    private void RemoveOldest()
    {
        var oldest = _oldestFirst.First!;
        _oldestFirst.RemoveFirst();
        _byKey.Remove(oldest.Value.Key);
    }
}
