using Akka.Persistence;

namespace ActorPubSub.Topics;

/// <summary>
/// When a topic takes a snapshot: once the journal written since the last one outweighs a snapshot (at least
/// min-snapshot-bytes), so recovery replays little and the journal can be deleted up to it. One snapshot at a
/// time; journal bytes are estimated from the events.
/// </summary>
internal sealed class SnapshotPolicy(long minSnapshotBytes)
{
    // Rough journal bytes beyond the payloads (sequence, timestamp, row), so snapshot pacing also counts
    // many small events and not only message bodies.
    public const int EventOverhead = 64;
    public const int MessageOverhead = 32;
    public const int AckOverhead = 8;

    /// <summary>Estimated journal bytes written since the last snapshot.</summary>
    public long BytesSinceSnapshot { get; private set; }

    /// <summary>True while a snapshot is being saved.</summary>
    public bool Saving { get; private set; }

    /// <summary>Counts a written event.</summary>
    public void Written(ITopicEvent e) =>
        BytesSinceSnapshot += e switch
        {
            MessagesAppended appended => MessagesBytes(appended),
            AcksRecorded acks => AcksBytes(acks),
            MessagesDeadLettered dead => EventOverhead * dead.Transfers.Length,
            _ => EventOverhead,
        };

    /// <summary>Counts a replayed event: the messages, acks and failures a recovery had to read.</summary>
    public void Replayed(ITopicEvent e) =>
        BytesSinceSnapshot += e switch
        {
            MessagesAppended appended => MessagesBytes(appended),
            AcksRecorded acks => AcksBytes(acks),
            DeliveriesFailed failed => EventOverhead * failed.Failures.Length,
            _ => 0,
        };

    private static long MessagesBytes(MessagesAppended e)
    {
        long bytes = EventOverhead;
        foreach (var m in e.Messages) bytes += m.Size + MessageOverhead;
        return bytes;
    }

    private static long AcksBytes(AcksRecorded e) => EventOverhead + AckOverhead * e.Acks.Sum(a => a.Sequences.Length);

    /// <summary>
    /// True (and saving from here on) when a snapshot is due: the journal since the last one outweighs a snapshot of
    /// about <paramref name="snapshotBytes"/> (and min-snapshot-bytes), or, with <paramref name="quiet"/> (a topic
    /// gone quiet), anything was written since: the journal it lets go is deleted, and recovery replays nothing.
    /// </summary>
    public bool TryStart(long snapshotBytes, bool quiet = false)
    {
        if (Saving || BytesSinceSnapshot == 0) return false;
        if (!quiet && BytesSinceSnapshot < Math.Max(minSnapshotBytes, snapshotBytes)) return false;
        if (quiet && BytesSinceSnapshot < snapshotBytes) return false;
        Saving = true;
        BytesSinceSnapshot = 0;
        return true;
    }

    /// <summary>The snapshot was saved: older snapshots may go, and the journal up to it but for the retained log.</summary>
    public (long DeleteMessagesUpTo, SnapshotSelectionCriteria DeleteSnapshots) Saved(SnapshotMetadata metadata)
    {
        Saving = false;
        return (metadata.SequenceNr, new SnapshotSelectionCriteria(metadata.SequenceNr - 1));
    }

    /// <summary>The snapshot failed: the journal is kept and replayed instead.</summary>
    public void Failed() => Saving = false;
}
