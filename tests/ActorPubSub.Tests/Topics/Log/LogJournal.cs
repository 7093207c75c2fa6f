using System.Collections.Immutable;
using Akka.Persistence;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Log;

namespace ActorPubSub.Tests.Topics.Log;

/// <summary>
/// A topic's journal as the log's specs need it: the events written (message batches and others between them), the
/// log told of each batch as the topic tells it, and reads of a chunk's journal range as the journal reader answers them.
/// </summary>
internal sealed class LogJournal(MessageLog log, string persistenceId = "topic-orders")
{
    private readonly List<IPersistentRepresentation> _events = [];

    public long LastSeqNr => _events.Count == 0 ? 0 : _events[^1].SequenceNr;

    /// <summary>Writes <paramref name="messages"/> as one journal event; the log learns of it.</summary>
    public void Write(params TopicMessage[] messages)
    {
        var seqNr = LastSeqNr + 1;
        _events.Add(new Persistent(new MessagesAppended([.. messages], []), seqNr, persistenceId));
        log.Appended(seqNr, [.. messages]);
    }

    /// <summary>Writes an event that holds no messages (acks and the like).</summary>
    public void WriteOther() =>
        _events.Add(new Persistent(new AcksRecorded([new SubscriptionAcks("billing", [1])]), LastSeqNr + 1, persistenceId));

    /// <summary>The events of <paramref name="chunk"/>'s journal range, as a read returns them.</summary>
    public IReadOnlyList<IPersistentRepresentation> Read(LogChunk chunk) =>
        [.. _events.Where(e => e.SequenceNr >= chunk.FirstJournalSeqNr && e.SequenceNr <= chunk.LastJournalSeqNr)];

    /// <summary>Reads back every chunk the log wants, one at a time as the topic does; returns them in read order.</summary>
    public List<LogChunk> ServeReads()
    {
        var read = new List<LogChunk>();
        while (log.NextRead() is { } chunk)
        {
            if (log.PageRead(chunk, Read(chunk)) is { } missing) throw new InvalidOperationException(missing);
            read.Add(chunk);
        }
        return read;
    }

    public static TopicMessage Message(long sequence, int size = 10, DateTime? at = null) =>
        new(sequence, at ?? TopicParts.At, new Payload(1, "", new byte[size]), null, null, null);

    public static ImmutableArray<TopicMessage> Batch(long from, long to, int size = 10) =>
        [.. Enumerable.Range((int)from, (int)(to - from + 1)).Select(s => Message(s, size))];
}
