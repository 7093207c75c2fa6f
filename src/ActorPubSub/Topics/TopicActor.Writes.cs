using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using ActorPubSub.Observability;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Topics;

/// <summary>The publish path and the journal write pipeline (group commit) of a topic.</summary>
internal sealed partial class TopicActor
{
    private void HandlePublishBatch(PublishBatch batch)
    {
        if (batch.Publishes.IsDefaultOrEmpty) return;
        var sender = Sender;
        foreach (var p in batch.Publishes) Accept(p, sender);
        TryWrite();
    }

    /// <summary>Checks one publish and buffers it for the next write (the caller starts the write).</summary>
    private void Accept(Publish p, IActorRef sender)
    {
        if (!string.Equals(p.Topic, _topic, StringComparison.Ordinal))
        {
            RejectPublish(p, sender, RejectionCode.Invalid, $"Publish for topic '{p.Topic}' reached topic '{_topic}'.");
            return;
        }
        var size = MessageSize.Of(p.Payload, p.Key, p.Headers, p.MessageId);
        if (size > _settings.MaxMessageSize)
        {
            RejectPublish(p, sender, RejectionCode.Invalid,
                $"The message is {size} bytes (payload, key, headers and id); max-message-size allows {_settings.MaxMessageSize}.");
            return;
        }

        var now = Now;
        if (p.ProducerId is not null)
        {
            if (p.ProducerSeq <= 0)
            {
                RejectPublish(p, sender, RejectionCode.Invalid, $"ProducerSeq must be 1 or more with a producer id, was {p.ProducerSeq}.");
                return;
            }
            var (verdict, seq) = _producers.Check(p.ProducerId, p.ProducerSeq, p.ProducerFloor, _messages.LastSequence, now);
            switch (verdict)
            {
                case ProducerTable.Verdict.Duplicate:
                    sender.Tell(new PublishReceipt(_topic, seq, p.ProducerId, p.ProducerSeq, Duplicate: true));
                    return;
                case ProducerTable.Verdict.DuplicatePending:   // the original's receipt follows its write
                case ProducerTable.Verdict.Stale:
                    return;
                case ProducerTable.Verdict.Gap:
                    // An earlier publish of this producer was lost on the way (sharding is at-most-once); it
                    // resends in order, so this one comes again after it.
                    _log.Debug("Topic {0}: producer {1} sent {2} after a gap; waiting for its resend", _topic, p.ProducerId, p.ProducerSeq);
                    return;
            }
        }

        if (p.MessageId is { } messageId && _messageIds.TryGet(messageId, DateTime.UtcNow, out var original))
        {
            // The publisher's own id repeats within the dedup window: confirm the original, store nothing.
            if (p.ProducerId is not null) _producers.Record(p.ProducerId, p.ProducerSeq, original, p.ProducerFloor, now);
            var receipt = new PublishReceipt(_topic, original, p.ProducerId, p.ProducerSeq, Duplicate: true);
            if (original <= _messages.LastSequence) sender.Tell(receipt);
            else _bufferedReplies.Add(new Reply(sender, receipt));   // the original's write is under way: confirm after it
            return;
        }

        if (IsFull(size))
        {
            TrimForRoom();   // acknowledged messages kept for replay give way first
            if (IsFull(size))
            {
                RejectPublish(p, sender, RejectionCode.TopicFull,
                    $"Topic '{_topic}' retains {_messages.Count + _bufferedMessages.Count} messages " +
                    $"({_messages.Bytes + _bufferedBytes} bytes), its limit (max-retained-messages {_settings.MaxRetainedMessages}, " +
                    $"max-retained-bytes {_settings.MaxRetainedBytes}); retry when its subscriptions caught up.");
                return;
            }
        }

        var sequence = _nextSequence++;
        var message = new TopicMessage(sequence, DateTime.UtcNow, p.Payload, p.Key, p.Headers, p.MessageId);
        if (p.MessageId is not null) _messageIds.Record(p.MessageId, sequence, message.Timestamp);
        _bufferedMessages.Add(message);
        _bufferedBytes += size;
        if (p.ProducerId is not null)
        {
            _producers.Record(p.ProducerId, p.ProducerSeq, sequence, p.ProducerFloor, now);
            _bufferedStamps.Add(new ProducerStamp(p.ProducerId, p.ProducerSeq));
        }
        else _bufferedStamps.Add(null);
        _bufferedReplies.Add(new Reply(sender, new PublishReceipt(_topic, sequence, p.ProducerId, p.ProducerSeq, Duplicate: false)));
    }

    private bool IsFull(int size) =>
        _messages.Count + _bufferedMessages.Count >= _settings.MaxRetainedMessages ||
        _messages.Bytes + _bufferedBytes + size > _settings.MaxRetainedBytes;

    private void RejectPublish(Publish p, IActorRef sender, RejectionCode code, string reason)
    {
        _log.Debug("Topic {0}: publish rejected ({1}): {2}", _topic, code, reason);
        sender.Tell(new PublishRejected(p.Topic, p.ProducerId, p.ProducerSeq, code, reason));
    }

    /// <summary>Starts the next journal write with everything buffered, unless one is running.</summary>
    private void TryWrite()
    {
        if (_writing) return;
        var ackCount = 0;
        foreach (var sub in _subscriptions.Values) ackCount += sub.UnflushedAckCount;
        if (_bufferedMessages.Count == 0 && _bufferedControl.Count == 0 && ackCount == 0)
        {
            // Replies that waited for the write that just finished (nothing new to write).
            if (_bufferedReplies.Count > 0)
            {
                var replies = _bufferedReplies;
                _bufferedReplies = [];
                SendReplies(replies);
            }
            return;
        }

        var events = new List<ITopicEvent>(_bufferedControl.Count + 2);
        events.AddRange(_bufferedControl);
        _bufferedControl.Clear();
        _writingMessages = _bufferedMessages.Count;
        if (_writingMessages > 0) _writeActivity = PersistTracing.Start(_topic, _bufferedMessages);
        AddMessageEvents(events);
        // Acks that arrived while the previous write ran go with this one: their group commit.
        if (ackCount > 0)
        {
            var acks = ImmutableArray.CreateBuilder<SubscriptionAcks>();
            foreach (var sub in _subscriptions.Values)
                if (sub.UnflushedAckCount > 0)
                    acks.Add(new SubscriptionAcks(sub.Name, ImmutableCollectionsMarshal.AsImmutableArray(sub.TakeUnflushedAcks())));
            events.Add(new AcksRecorded(acks.ToImmutable()));
        }

        _writing = true;
        (_writingReplies, _bufferedReplies) = (_bufferedReplies, _writingReplies);
        _bufferedReplies.Clear();
        _metrics.WriteStarted();
        PersistAllAsync(events, OnPersisted);
        DeferAsync(WriteDone.Instance, _ => OnWriteDone());
    }

    /// <summary>Splits the buffered publishes into events within the batch limits (all in one atomic write).</summary>
    private void AddMessageEvents(List<ITopicEvent> events)
    {
        var start = 0;
        while (start < _bufferedMessages.Count)
        {
            var end = start;
            long bytes = 0;
            while (end < _bufferedMessages.Count && end - start < _settings.MaxWriteBatchMessages &&
                   (end == start || bytes + _bufferedMessages[end].Size <= _settings.MaxWriteBatchBytes))
                bytes += _bufferedMessages[end++].Size;
            var messages = _bufferedMessages.GetRange(start, end - start).ToArray();
            events.Add(new MessagesAppended(ImmutableCollectionsMarshal.AsImmutableArray(messages), RunsOf(start, end)));
            start = end;
        }
        _bufferedMessages.Clear();
        _bufferedStamps.Clear();
        _bufferedBytes = 0;
    }

    private ImmutableArray<ProducerRun> RunsOf(int start, int end)
    {
        List<ProducerRun>? runs = null;
        for (var i = start; i < end; i++)
        {
            if (_bufferedStamps[i] is not { } stamp) continue;
            var seq = _bufferedMessages[i].Sequence;
            runs ??= [];
            if (runs.Count > 0 && runs[^1] is var last && last.ProducerId == stamp.ProducerId &&
                last.LastProducerSeq + 1 == stamp.ProducerSeq && last.FirstSequence + last.Count == seq)
                runs[^1] = last with { Count = last.Count + 1 };
            else runs.Add(new ProducerRun(stamp.ProducerId, stamp.ProducerSeq, seq, 1));
        }
        return runs is null ? [] : [.. runs];
    }

    private void OnPersisted(ITopicEvent e)
    {
        // Subscription changes and acks were applied when they arrived; only messages wait for the journal.
        switch (e)
        {
            case MessagesAppended appended:
                AppendPersisted(appended);
                _metrics.Published(appended.Messages.Length);
                break;
            case AcksRecorded acks: _bytesSinceSnapshot += EventOverhead + AckOverhead * acks.Acks.Sum(a => a.Sequences.Length); break;
            case MessagesDeadLettered dead:
                // Written: now it may go to the store (a crash from here on resends the same transfer numbers).
                if (_subscriptions.TryGetValue(dead.Subscription, out var sub))
                {
                    sub.MarkTransfersPersisted(dead.Transfers[^1].Id);
                    SendTransfers(sub);
                }
                _bytesSinceSnapshot += EventOverhead * dead.Transfers.Length;
                break;
            default: _bytesSinceSnapshot += EventOverhead; break;
        }
    }

    private void AppendPersisted(MessagesAppended e)
    {
        _bytesSinceSnapshot += EventOverhead;
        var idCutoff = DateTime.UtcNow - _settings.DedupWindow;
        foreach (var m in e.Messages)
        {
            _messages.Append(m);
            _bytesSinceSnapshot += m.Size + MessageOverhead;
            // Live, the id was recorded on accept; a replay records it here (only within the window).
            if (m.MessageId is not null && IsRecovering && m.Timestamp >= idCutoff) _messageIds.Record(m.MessageId, m.Sequence, m.Timestamp);
        }
        foreach (var sub in _subscriptions.Values)
            if (sub.Config.Filter is not null)
                foreach (var m in e.Messages) sub.ApplyFilter(m);
        if (e.Messages.Length > 0) _nextSequence = Math.Max(_nextSequence, e.Messages[^1].Sequence + 1);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "Topic {0}: the journal rejected {1} at {2}", _topic, @event.GetType().Name, sequenceNr);
        _writeRejected = cause;
    }

    private void OnWriteDone()
    {
        _writing = false;
        var replies = _writingReplies;
        if (_writeActivity is { } activity)
        {
            _writeActivity = null;
            PersistTracing.Stop(activity, _writeRejected);
        }
        if (_writeRejected is { } rejected)
        {
            // Nothing of this write is stored: refuse its publishes, then restart to reload the true state
            // (sequence numbers were handed out for messages that will never exist).
            foreach (var r in replies)
                r.To.Tell(r.Message is PublishReceipt pr
                    ? new PublishRejected(_topic, pr.ProducerId, pr.ProducerSeq, RejectionCode.StorageFailure,
                        $"The journal rejected the write: {rejected.Message}")
                    : r.Message);
            throw new InvalidOperationException($"Topic {_topic}: journal write rejected; restarting to recover.", rejected);
        }
        _metrics.WriteSucceeded(_writingMessages);
        SendReplies(replies);
        replies.Clear();

        Trim();
        PumpAll();
        MaybeSnapshot();
        PublishGauges();
        TryWrite();
        if (_stopping && !_draining && !_writing) Context.Stop(Self);
        EnsureTicking();
    }

    /// <summary>
    /// Sends the replies of a finished write; the receipts for one sender travel as one
    /// <see cref="PublishReceipts"/> (a client sends its queued publishes as batches).
    /// </summary>
    private void SendReplies(List<Reply> replies)
    {
        Dictionary<IActorRef, List<PublishReceipt>>? receipts = null;
        foreach (var r in replies)
        {
            if (r.Message is not PublishReceipt receipt)
            {
                r.To.Tell(r.Message);
                continue;
            }
            receipts ??= [];
            if (!receipts.TryGetValue(r.To, out var list)) receipts[r.To] = list = [];
            list.Add(receipt);
        }
        if (receipts is null) return;
        foreach (var (to, list) in receipts)
            to.Tell(list.Count == 1 ? list[0] : new PublishReceipts(_topic, [.. list]));
    }
}
