using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Topics;

/// <summary>
/// The publishers' message ids a topic saw within its dedup window, and the sequence each was stored as, so a
/// repeat is confirmed with the original sequence instead of being stored twice. Bounded by the window and by
/// a maximum count (the oldest are forgotten first). Rebuilt on recovery from the journal's messages (which
/// carry their ids and timestamps) and from the snapshot.
/// </summary>
internal sealed class MessageIdTable(TimeSpan window, int maxIds)
{
    private readonly Dictionary<string, (long Sequence, DateTime Timestamp)> _ids = new(StringComparer.Ordinal);
    private readonly Queue<(string Id, long Sequence, DateTime Timestamp)> _order = new();

    public int Count => _ids.Count;

    public bool TryGet(string messageId, DateTime utcNow, out long sequence)
    {
        if (_ids.TryGetValue(messageId, out var entry) && entry.Timestamp >= utcNow - window)
        {
            sequence = entry.Sequence;
            return true;
        }
        sequence = 0;
        return false;
    }

    /// <summary>Remembers an id (a newer record of the same id replaces the older one).</summary>
    public void Record(string messageId, long sequence, DateTime timestamp)
    {
        if (maxIds == 0 || window <= TimeSpan.Zero) return;
        _ids[messageId] = (sequence, timestamp);
        _order.Enqueue((messageId, sequence, timestamp));
        while (_ids.Count > maxIds && _order.TryDequeue(out var oldest)) Forget(oldest);
    }

    /// <summary>Forgets ids older than the window.</summary>
    public void Expire(DateTime utcNow)
    {
        var cutoff = utcNow - window;
        while (_order.TryPeek(out var oldest) && oldest.Timestamp < cutoff) Forget(_order.Dequeue());
        // Replaced ids leave stale queue entries; keep the queue from growing without bound.
        if (_order.Count > 2 * _ids.Count + 1024)
        {
            var live = _order.Where(e => _ids.TryGetValue(e.Id, out var v) && v == (e.Sequence, e.Timestamp)).ToArray();
            _order.Clear();
            foreach (var e in live) _order.Enqueue(e);
        }
    }

    public IEnumerable<MessageIdEntry> Entries(DateTime utcNow)
    {
        var cutoff = utcNow - window;
        foreach (var (id, (sequence, timestamp)) in _ids)
            if (timestamp >= cutoff) yield return new MessageIdEntry(id, sequence, timestamp);
    }

    /// <summary>Forgets an id, unless a newer record of it replaced this queue entry.</summary>
    private void Forget((string Id, long Sequence, DateTime Timestamp) entry)
    {
        if (_ids.TryGetValue(entry.Id, out var current) && current == (entry.Sequence, entry.Timestamp)) _ids.Remove(entry.Id);
    }
}
