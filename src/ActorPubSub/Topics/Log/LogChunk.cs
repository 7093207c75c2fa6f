namespace ActorPubSub.Topics.Log;

/// <summary>
/// A run of a topic's log as it lies in the journal: messages <paramref name="FirstSequence"/>..<paramref name="LastSequence"/>
/// were written by the journal events <paramref name="FirstJournalSeqNr"/>..<paramref name="LastJournalSeqNr"/> (other
/// events between them, acks and the like, are skipped on a read). One chunk is what a lagging subscription reads
/// back in one go, so chunks close at about <c>topic.log.page-bytes</c>.
/// </summary>
/// <param name="Bytes">Message bytes (payload, key, headers, id) of the chunk.</param>
/// <param name="FirstTimestamp">When its first message was published (UTC).</param>
/// <param name="LastTimestamp">When its last message was published (UTC).</param>
public sealed record LogChunk(
    long FirstSequence,
    long LastSequence,
    long FirstJournalSeqNr,
    long LastJournalSeqNr,
    long Bytes,
    DateTime FirstTimestamp,
    DateTime LastTimestamp)
{
    public long Count => LastSequence - FirstSequence + 1;

    public bool Contains(long sequence) => sequence >= FirstSequence && sequence <= LastSequence;
}
