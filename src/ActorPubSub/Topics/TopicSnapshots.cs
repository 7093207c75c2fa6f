using ActorPubSub.Topics.Log;

namespace ActorPubSub.Topics;

/// <summary>
/// A topic's state as one <see cref="TopicSnapshot"/>, and back: where the retained log lies in the journal (no
/// message bodies), each subscription, the producer runs and message ids still needed for dedup, the retention and
/// the limits. A snapshot's size grows with subscriptions, producers and ids, not with the backlog.
/// </summary>
internal static class TopicSnapshots
{
    /// <summary>Rough bytes of a snapshot per entry, to pace snapshots by their size (<see cref="SnapshotPolicy"/>).</summary>
    private const int ChunkBytes = 48, IdBytes = 64, SubscriptionBytes = 128, AckBytes = 8;

    /// <summary>The state as of the written log (what is buffered for the next write is not in it).</summary>
    public static TopicSnapshot Capture(MessageLog log, SubscriptionTable subscriptions, PublishGate gate,
        RetentionPolicy retention, DateTime utcNow)
    {
        var last = log.LastSequence;
        return new TopicSnapshot(
            last,
            [.. log.Pinned],
            subscriptions.Snapshot(last),
            [.. gate.Producers.PersistedRuns(last)],
            // oldest first, so a restore replays them in the order they expire and are evicted
            [.. gate.MessageIds.Entries(utcNow).Where(e => e.Sequence <= last).OrderBy(e => e.Timestamp)],
            retention.Configured,
            FirstSequence: log.FirstSequence,
            Chunks: [.. log.Index.All],
            Limits: retention.ConfiguredLimits);
    }

    /// <summary>About how many bytes a snapshot of this state takes.</summary>
    public static long EstimateBytes(MessageLog log, SubscriptionTable subscriptions, PublishGate gate)
    {
        long bytes = (long)log.Index.Count * ChunkBytes + (long)gate.MessageIds.Count * IdBytes;
        foreach (var m in log.Pinned) bytes += m.Size + SnapshotPolicy.MessageOverhead;
        foreach (var sub in subscriptions.All) bytes += SubscriptionBytes + (long)sub.AckedAbove.Count * AckBytes;
        return bytes;
    }

    public static void Restore(TopicSnapshot snapshot, MessageLog log, SubscriptionTable subscriptions, PublishGate gate,
        RetentionPolicy retention, long now, DateTime utcNow)
    {
        // A snapshot of the old format (FirstSequence 0) holds the retained messages themselves.
        var first = snapshot.FirstSequence > 0 ? snapshot.FirstSequence
            : snapshot.Retained.Length > 0 ? snapshot.Retained[0].Sequence : snapshot.LastSequence + 1;
        log.Restore(first, snapshot.LastSequence, snapshot.Chunks, snapshot.Retained);
        retention.Configured = snapshot.Retention;
        retention.ConfiguredLimits = snapshot.Limits;
        foreach (var s in snapshot.Subscriptions) subscriptions.Restore(s, now, utcNow);
        gate.Restore(snapshot, now);
    }
}
