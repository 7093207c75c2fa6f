using ActorPubSub.Journal;

namespace ActorPubSub.Topics;

/// <summary>
/// The topic's replies that wait for the fsync of what they confirm. When the journal writes before it syncs (see
/// <see cref="SyncNotices"/>), a write completes once written: the topic applies it and delivers its messages, and
/// the receipts and other confirmations of that write wait here until the journal reports the write synced. So a
/// publisher is never told of a publish a crash of the machine could still lose.
/// </summary>
/// <remarks>
/// Replies are released in the order they were parked. Everything the topic recovered counts as synced: the journal
/// answers a recovery only after the fsync of the same topic's writes in progress.
/// </remarks>
internal sealed class SyncedReplies
{
    private readonly Queue<(long UpTo, List<GroupCommit.Reply> Replies)> _waiting = new();
    private long _writtenUpTo;   // the last sequence number of the last write done (written)

    /// <summary>The highest journal sequence number known to be durable.</summary>
    public long SyncedUpTo { get; private set; }

    /// <summary>True while replies wait for a sync.</summary>
    public bool Waiting => _waiting.Count > 0;

    /// <summary>True while the last write done (written) waits for its sync to be reported.</summary>
    public bool WriteUnsynced => _writtenUpTo > SyncedUpTo;

    /// <summary>A write up to <paramref name="upTo"/> is done and waits for its sync.</summary>
    public void Written(long upTo) => _writtenUpTo = Math.Max(_writtenUpTo, upTo);

    /// <summary>After recovery: everything replayed is durable.</summary>
    public void Recovered(long lastSequenceNr) => SyncedUpTo = Math.Max(SyncedUpTo, lastSequenceNr);

    /// <summary>True when a reply confirming the journal up to <paramref name="upTo"/> must wait for its sync.</summary>
    public bool MustWait(long upTo) => upTo > SyncedUpTo || _waiting.Count > 0;

    /// <summary>Parks a copy of <paramref name="replies"/> until the journal is synced up to <paramref name="upTo"/>.</summary>
    public void Park(long upTo, IEnumerable<GroupCommit.Reply> replies) => _waiting.Enqueue((upTo, [.. replies]));

    /// <summary>The journal synced up to <paramref name="upTo"/>: the replies now due, in the order they were parked.</summary>
    public List<GroupCommit.Reply> Synced(long upTo)
    {
        SyncedUpTo = Math.Max(SyncedUpTo, upTo);
        var due = new List<GroupCommit.Reply>();
        while (_waiting.Count > 0 && _waiting.Peek().UpTo <= SyncedUpTo) due.AddRange(_waiting.Dequeue().Replies);
        return due;
    }

    /// <summary>A sync failed: every parked reply, to be refused (they wait for that sync or a later one).</summary>
    public List<GroupCommit.Reply> Failed()
    {
        var all = new List<GroupCommit.Reply>();
        while (_waiting.Count > 0) all.AddRange(_waiting.Dequeue().Replies);
        return all;
    }
}
