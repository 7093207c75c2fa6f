namespace ActorPubSub.Topics;

/// <summary>
/// A topic's whole state as one <see cref="TopicSnapshot"/>, and back: the retained log, each subscription,
/// the producer runs and message ids still needed for dedup, and the retention.
/// </summary>
internal static class TopicSnapshots
{
    /// <summary>The state as of the written log (what is buffered for the next write is not in it).</summary>
    public static TopicSnapshot Capture(MessageLog log, SubscriptionTable subscriptions, PublishGate gate,
        RetentionPolicy retention, DateTime utcNow)
    {
        var last = log.LastSequence;
        return new TopicSnapshot(
            last,
            [.. log.All()],
            subscriptions.Snapshot(last),
            [.. gate.Producers.PersistedRuns(last)],
            // oldest first, so a restore replays them in the order they expire and are evicted
            [.. gate.MessageIds.Entries(utcNow).Where(e => e.Sequence <= last).OrderBy(e => e.Timestamp)],
            retention.Configured);
    }

    public static void Restore(TopicSnapshot snapshot, MessageLog log, SubscriptionTable subscriptions, PublishGate gate,
        RetentionPolicy retention, long now, DateTime utcNow)
    {
        foreach (var m in snapshot.Retained) log.Append(m);
        if (log.Count == 0) log.ResetEmpty(snapshot.LastSequence);
        retention.Configured = snapshot.Retention;
        foreach (var s in snapshot.Subscriptions) subscriptions.Restore(s, now, utcNow);
        gate.Restore(snapshot, now);
    }
}
