using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Akka.Actor;
using ActorPubSub.Messages;

namespace ActorPubSub.Topics;

/// <summary>
/// The topic's group commit: what waits for the next journal write (accepted publishes, control events, the
/// replies that must follow a write) and the replies of the write in flight. At most one write runs at a
/// time; whatever arrives meanwhile goes into the next one as one atomic batch, so the batch grows with load.
/// </summary>
internal sealed class GroupCommit(int maxBatchMessages, long maxBatchBytes)
{
    /// <summary>A reply to send once the write that holds its change succeeded.</summary>
    /// <param name="CompactReceipts">The receiver reads receipts in their compact form (see <see cref="PublishBatch.CompactReceipts"/>).</param>
    public readonly record struct Reply(IActorRef To, object Message, bool CompactReceipts = false);

    private readonly record struct ProducerStamp(string ProducerId, long ProducerSeq);

    private readonly List<TopicMessage> _messages = [];
    private readonly List<ProducerStamp?> _stamps = [];
    private readonly List<ITopicEvent> _control = [];
    private List<Reply> _replies = [];
    private List<Reply> _writingReplies = [];

    /// <summary>True from <see cref="Begin"/> until <see cref="Complete"/>: a write is in flight.</summary>
    public bool IsWriting { get; private set; }

    /// <summary>Accepted publishes waiting for the next write.</summary>
    public List<TopicMessage> Messages => _messages;

    /// <summary>Bytes of the publishes waiting for the next write (as the size limit counts them).</summary>
    public long Bytes { get; private set; }

    /// <summary>Publishes in the write in flight.</summary>
    public int WritingMessages { get; private set; }

    /// <summary>Message bytes of the write in flight.</summary>
    public long WritingBytes { get; private set; }

    /// <summary>Publishes accepted and not yet in the log: buffered, and in the write in flight.</summary>
    public long PendingMessages => _messages.Count + (IsWriting ? WritingMessages : 0);

    /// <summary>Message bytes of <see cref="PendingMessages"/>.</summary>
    public long PendingBytes => Bytes + (IsWriting ? WritingBytes : 0);

    public void AddMessage(TopicMessage message, int size, string? producerId, long producerSeq)
    {
        _messages.Add(message);
        Bytes += size;
        _stamps.Add(producerId is null ? null : new ProducerStamp(producerId, producerSeq));
    }

    public void AddControl(ITopicEvent e) => _control.Add(e);

    /// <summary>Adds a failure or dead-lettering event, merged with the previous one of its kind.</summary>
    public void AddDeliveryEvent(ITopicEvent e)
    {
        if (_control.Count > 0)
        {
            switch (_control[^1], e)
            {
                case (DeliveriesFailed previous, DeliveriesFailed next):
                    _control[^1] = new DeliveriesFailed(previous.Failures.AddRange(next.Failures));
                    return;
                case (MessagesDeadLettered previous, MessagesDeadLettered next) when previous.Subscription == next.Subscription:
                    _control[^1] = new MessagesDeadLettered(previous.Subscription, previous.Transfers.AddRange(next.Transfers));
                    return;
            }
        }
        _control.Add(e);
    }

    /// <summary>A reply for after the next write (or after the one in flight, when nothing more is written).</summary>
    public void AddReply(IActorRef to, object message, bool compactReceipts = false) => _replies.Add(new Reply(to, message, compactReceipts));

    /// <summary>True when something waits to be written, counting <paramref name="unflushedAcks"/> held elsewhere.</summary>
    public bool HasWork(int unflushedAcks) => _messages.Count > 0 || _control.Count > 0 || unflushedAcks > 0;

    /// <summary>
    /// Starts a write: the control events in arrival order, then the publishes split within the batch limits,
    /// then <paramref name="acks"/> (acks that arrived while the previous write ran: their group commit).
    /// The buffered replies become the replies of this write.
    /// </summary>
    public List<ITopicEvent> Begin(AcksRecorded? acks)
    {
        var events = new List<ITopicEvent>(_control.Count + 2);
        events.AddRange(_control);
        _control.Clear();
        WritingMessages = _messages.Count;
        WritingBytes = Bytes;
        AddMessageEvents(events);
        if (acks is not null) events.Add(acks);
        IsWriting = true;
        (_writingReplies, _replies) = (_replies, _writingReplies);
        _replies.Clear();
        return events;
    }

    /// <summary>
    /// The write finished: returns its replies (the caller sends them, or refuses them on failure, before the
    /// next <see cref="Begin"/>, which reuses the list).
    /// </summary>
    public List<Reply> Complete()
    {
        IsWriting = false;
        return _writingReplies;
    }

    /// <summary>Replies waiting for a write.</summary>
    public int PendingReplies => _replies.Count;

    /// <summary>Replies that waited for the write that just finished, when there is nothing new to write.</summary>
    public List<Reply> TakeReplies()
    {
        var replies = _replies;
        _replies = [];
        return replies;
    }

    /// <summary>
    /// The messages to send for <paramref name="replies"/>: the receipts for one sender travel as one
    /// <see cref="PublishReceipts"/> (a client sends its queued publishes as batches).
    /// </summary>
    public static IEnumerable<Reply> Coalesce(string topic, List<Reply> replies)
    {
        Dictionary<IActorRef, (List<PublishReceipt> List, bool Compact)>? receipts = null;
        foreach (var r in replies)
        {
            if (r.Message is not PublishReceipt receipt)
            {
                yield return r;
                continue;
            }
            receipts ??= [];
            if (!receipts.TryGetValue(r.To, out var entry)) entry = ([], false);
            entry.List.Add(receipt);
            receipts[r.To] = (entry.List, entry.Compact || r.CompactReceipts);   // a sender that reads it once reads it always
        }
        if (receipts is null) yield break;
        foreach (var (to, (list, compact)) in receipts)
            yield return new Reply(to, list.Count == 1 ? list[0] : new PublishReceipts(topic, [.. list]) { Compact = compact });
    }

    /// <summary>The reply when the journal rejected the write: publishes are refused, other replies stand.</summary>
    public static Reply Refuse(string topic, Reply reply, Exception rejected) =>
        reply.Message is PublishReceipt pr
            ? reply with
            {
                Message = new PublishRejected(topic, pr.ProducerId, pr.ProducerSeq, RejectionCode.StorageFailure,
                    $"The journal rejected the write: {rejected.Message}")
            }
            : reply;

    /// <summary>Splits the buffered publishes into events within the batch limits (all in one atomic write).</summary>
    private void AddMessageEvents(List<ITopicEvent> events)
    {
        var start = 0;
        while (start < _messages.Count)
        {
            var end = start;
            long bytes = 0;
            while (end < _messages.Count && end - start < maxBatchMessages &&
                   (end == start || bytes + _messages[end].Size <= maxBatchBytes))
                bytes += _messages[end++].Size;
            var messages = _messages.GetRange(start, end - start).ToArray();
            events.Add(new MessagesAppended(ImmutableCollectionsMarshal.AsImmutableArray(messages), RunsOf(start, end)));
            start = end;
        }
        _messages.Clear();
        _stamps.Clear();
        Bytes = 0;
    }

    private ImmutableArray<ProducerRun> RunsOf(int start, int end)
    {
        // The run being extended lives in locals: one ProducerRun per run, not one per message.
        List<ProducerRun>? runs = null;
        ProducerStamp? first = null;
        long firstSequence = 0;
        var count = 0;
        for (var i = start; i < end; i++)
        {
            if (_stamps[i] is not { } stamp) continue;
            var seq = _messages[i].Sequence;
            if (first is { } f && f.ProducerId == stamp.ProducerId && f.ProducerSeq + count == stamp.ProducerSeq && firstSequence + count == seq)
            {
                count++;
                continue;
            }
            if (first is { } done) (runs ??= []).Add(new ProducerRun(done.ProducerId, done.ProducerSeq, firstSequence, count));
            (first, firstSequence, count) = (stamp, seq, 1);
        }
        if (first is { } last) (runs ??= []).Add(new ProducerRun(last.ProducerId, last.ProducerSeq, firstSequence, count));
        return runs is null ? [] : [.. runs];
    }
}
