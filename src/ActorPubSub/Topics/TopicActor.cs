using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using ActorPubSub.Subscriptions;

namespace ActorPubSub.Topics;

/// <summary>
/// One topic: a Cluster.Sharding entity and persistent actor that owns the topic's message log, its durable
/// subscriptions and their delivery state.
/// </summary>
/// <remarks>
/// <para><b>Writes.</b> At most one journal write runs at a time. Publishes, acks and subscription changes
/// that arrive meanwhile are buffered and go into the next write as one atomic batch (group commit), so the
/// batch grows with load and a lone publish is written at once. A publish is confirmed, and its message
/// becomes deliverable, only when the write holding it succeeded.</para>
/// <para><b>State.</b> Subscription changes and acks change the in-memory state when they arrive (their
/// events are written with the next batch); the log only ever holds persisted messages. Acks are not
/// confirmed to anyone, so losing an unflushed batch in a crash only means those messages are delivered
/// again. Because the next write starts only after the previous one's callback, a snapshot taken there
/// matches the journal position exactly.</para>
/// </remarks>
internal sealed class TopicActor : ReceivePersistentActor, IWithTimers
{
    private sealed class Tick : INotInfluenceReceiveTimeout
    {
        public static readonly Tick Instance = new();
        private Tick() { }
    }

    private sealed class Housekeeping : INotInfluenceReceiveTimeout
    {
        public static readonly Housekeeping Instance = new();
        private Housekeeping() { }
    }

    private sealed class WriteDone
    {
        public static readonly WriteDone Instance = new();
        private WriteDone() { }
    }

    private readonly record struct Reply(IActorRef To, object Message);

    // Rough journal bytes beyond the payloads (sequence, timestamp, row), so snapshot pacing also counts
    // many small events and not only message bodies.
    private const int EventOverhead = 64;
    private const int MessageOverhead = 32;
    private const int AckOverhead = 8;

    private readonly record struct ProducerStamp(string ProducerId, long ProducerSeq);

    private readonly string _topic;
    private readonly TopicSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly MessageLog _messages = new();
    private readonly Dictionary<string, SubscriptionState> _subscriptions = new(StringComparer.Ordinal);
    private readonly ProducerTable _producers = new();

    private long _nextSequence = 1;

    // Buffered for the next write.
    private readonly List<TopicMessage> _bufferedMessages = [];
    private readonly List<ProducerStamp?> _bufferedStamps = [];
    private readonly List<ITopicEvent> _bufferedControl = [];
    private List<Reply> _bufferedReplies = [];
    private long _bufferedBytes;

    // The write in flight.
    private bool _writing;
    private List<Reply> _writingReplies = [];
    private Exception? _writeRejected;

    private TimeSpan? _tickInterval;        // the running Tick timer's interval; null: not ticking
    private long _bytesSinceSnapshot;
    private bool _snapshotting;
    private bool _stopping;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string topic, TopicSettings settings) =>
        Akka.Actor.Props.Create(() => new TopicActor(topic, settings));

    public TopicActor(string topic, TopicSettings settings)
    {
        _topic = topic;
        _settings = settings;
        PersistenceId = TopicNames.TopicPersistenceId(topic);
        JournalPluginId = settings.JournalPluginId;
        SnapshotPluginId = settings.SnapshotPluginId;

        Recover<SnapshotOffer>(offer => RestoreSnapshot((TopicSnapshot)offer.Snapshot));
        Recover<MessagesAppended>(e => { AppendPersisted(e); RestoreProducers(e); });
        Recover<SubscriptionAdded>(ApplySubscriptionAdded);
        Recover<SubscriptionRemoved>(e => _subscriptions.Remove(e.Subscription));
        Recover<AcksRecorded>(RestoreAcks);
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<Publish>(p => { Accept(p, Sender); TryWrite(); });
        Command<PublishBatch>(HandlePublishBatch);
        Command<Ack>(HandleAck);
        Command<Consume>(HandleConsume);
        Command<Nack>(HandleNack);
        Command<PublishTransient>(HandlePublishTransient);
        Command<TransientDone>(HandleTransientDone);
        Command<CreateSubscription>(HandleCreateSubscription);
        Command<DeleteSubscription>(HandleDeleteSubscription);
        Command<StopConsuming>(HandleStopConsuming);
        Command<GetTopicInfo>(_ => { Sender.Tell(Info()); PassivateIfUnknown(); });
        Command<Terminated>(t => RemoveConsumerEverywhere(t.ActorRef));
        Command<Tick>(_ => OnTick());
        Command<Housekeeping>(_ => OnHousekeeping());
        Command<TopicStop>(_ => BeginStop());
        Command<ReceiveTimeout>(_ => Context.Parent.Tell(new Passivate(TopicStop.Instance)));
        Command<SaveSnapshotSuccess>(OnSnapshotSaved);
        Command<SaveSnapshotFailure>(f =>
        {
            _snapshotting = false;
            _log.Warning(f.Cause, "Topic {0}: snapshot at {1} failed; the journal is kept and replayed instead", _topic, f.Metadata.SequenceNr);
        });
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning(f.Cause, "Topic {0}: deleting journal up to {1} failed", _topic, f.ToSequenceNr));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning(f.Cause, "Topic {0}: deleting old snapshots failed", _topic));
    }

    public override string PersistenceId { get; }

    private bool Exists => _nextSequence > 1 || _subscriptions.Count > 0;

    private static long Now => Environment.TickCount64;

    // ---------------------------------------------------------------- recovery

    private void RestoreSnapshot(TopicSnapshot snapshot)
    {
        foreach (var m in snapshot.Retained) _messages.Append(m);
        if (_messages.Count == 0) _messages.ResetEmpty(snapshot.LastSequence);
        _nextSequence = snapshot.LastSequence + 1;
        foreach (var s in snapshot.Subscriptions)
        {
            var sub = new SubscriptionState(s.Name, s.Watermark, s.AckDeadline);
            foreach (var seq in s.AckedAbove) sub.RestoreAck(seq);
            _subscriptions[s.Name] = sub;
        }
        var now = Now;
        foreach (var run in snapshot.Producers) _producers.Restore(run, now);
    }

    private void RestoreProducers(MessagesAppended e)
    {
        var now = Now;
        foreach (var run in e.Producers) _producers.Restore(run, now);
    }

    private void RestoreAcks(AcksRecorded e)
    {
        foreach (var acks in e.Acks)
            if (_subscriptions.TryGetValue(acks.Subscription, out var sub))
                foreach (var seq in acks.Sequences) sub.RestoreAck(seq);
        _bytesSinceSnapshot += EventOverhead + AckOverhead * e.Acks.Sum(a => a.Sequences.Length);
    }

    private void OnRecovered()
    {
        Trim();
        Timers.StartPeriodicTimer(nameof(Housekeeping), Housekeeping.Instance, HousekeepingInterval);
        Context.SetReceiveTimeout(_settings.IdleTimeout);
        _log.Debug("Topic {0} recovered: last sequence {1}, {2} retained, {3} subscriptions",
            _topic, _messages.LastSequence, _messages.Count, _subscriptions.Count);
    }

    private TimeSpan HousekeepingInterval =>
        TimeSpan.FromMilliseconds(Math.Max(_settings.TickInterval.TotalMilliseconds, _settings.ConsumerTimeout.TotalMilliseconds / 3));

    // ---------------------------------------------------------------- publish and the write pipeline

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

        if (_messages.Count + _bufferedMessages.Count >= _settings.MaxRetainedMessages ||
            _messages.Bytes + _bufferedBytes + size > _settings.MaxRetainedBytes)
        {
            RejectPublish(p, sender, RejectionCode.TopicFull,
                $"Topic '{_topic}' retains {_messages.Count + _bufferedMessages.Count} messages " +
                $"({_messages.Bytes + _bufferedBytes} bytes), its limit (max-retained-messages {_settings.MaxRetainedMessages}, " +
                $"max-retained-bytes {_settings.MaxRetainedBytes}); retry when its subscriptions caught up.");
            return;
        }

        var sequence = _nextSequence++;
        var message = new TopicMessage(sequence, DateTime.UtcNow, p.Payload, p.Key, p.Headers, p.MessageId);
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
        if (_bufferedMessages.Count == 0 && _bufferedControl.Count == 0 && ackCount == 0) return;

        var events = new List<ITopicEvent>(_bufferedControl.Count + 2);
        events.AddRange(_bufferedControl);
        _bufferedControl.Clear();
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
            case MessagesAppended appended: AppendPersisted(appended); break;
            case AcksRecorded acks: _bytesSinceSnapshot += EventOverhead + AckOverhead * acks.Acks.Sum(a => a.Sequences.Length); break;
        }
    }

    private void AppendPersisted(MessagesAppended e)
    {
        _bytesSinceSnapshot += EventOverhead;
        foreach (var m in e.Messages)
        {
            _messages.Append(m);
            _bytesSinceSnapshot += m.Size + MessageOverhead;
        }
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
        SendReplies(replies);
        replies.Clear();

        Trim();
        PumpAll();
        MaybeSnapshot();
        TryWrite();
        if (_stopping && !_writing) Context.Stop(Self);
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

    // ---------------------------------------------------------------- subscriptions

    private void HandleCreateSubscription(CreateSubscription c)
    {
        var ackDeadline = c.AckDeadline == TimeSpan.Zero ? _settings.DefaultAckDeadline : c.AckDeadline;
        if (ValidateCommand(c.Topic, c.Subscription, nameof(CreateSubscription)) is { } invalid)
        {
            Sender.Tell(invalid);
            return;
        }
        if (ackDeadline < TimeSpan.FromMilliseconds(100) || ackDeadline > TimeSpan.FromDays(1))
        {
            Sender.Tell(Rejected(c.Subscription, nameof(CreateSubscription), RejectionCode.Invalid,
                $"AckDeadline is {ackDeadline}; it must be between 100 ms and 1 day (or zero for the default {_settings.DefaultAckDeadline})."));
            return;
        }
        if (!Enum.IsDefined(c.Start))
        {
            Sender.Tell(Rejected(c.Subscription, nameof(CreateSubscription), RejectionCode.Invalid,
                $"Start position {(int)c.Start} is unknown; use Earliest or Latest."));
            return;
        }
        if (_subscriptions.TryGetValue(c.Subscription, out var existing))
        {
            // Zero means "not specified": consumers attaching to an existing subscription accept its options.
            var reply = c.AckDeadline == TimeSpan.Zero || existing.AckDeadline == ackDeadline
                ? (object)new SubscriptionCreated(_topic, c.Subscription, existing.Watermark, AlreadyExisted: true)
                : Rejected(c.Subscription, nameof(CreateSubscription), RejectionCode.Conflict,
                    $"Subscription '{c.Subscription}' exists with ack deadline {existing.AckDeadline}, not {ackDeadline}; delete it first to change it.");
            // Answer after any write in progress, so "exists" is never reported before it is durable.
            ReplyAfterWrite(reply);
            return;
        }

        // Earliest: everything retained. Latest: everything accepted so far, including publishes still buffered.
        var watermark = c.Start == StartPosition.Earliest ? _messages.FirstSequence - 1 : _nextSequence - 1;
        var added = new SubscriptionAdded(c.Subscription, watermark, ackDeadline);
        ApplySubscriptionAdded(added);
        _bufferedControl.Add(added);
        _bufferedReplies.Add(new Reply(Sender, new SubscriptionCreated(_topic, c.Subscription, watermark, AlreadyExisted: false)));
        TryWrite();
    }

    private void ApplySubscriptionAdded(SubscriptionAdded e)
    {
        // A topic may have dropped unsubscribed messages since the watermark was chosen.
        var watermark = Math.Max(e.Watermark, _messages.FirstSequence - 1);
        _subscriptions[e.Subscription] = new SubscriptionState(e.Subscription, watermark, e.AckDeadline);
    }

    private void HandleDeleteSubscription(DeleteSubscription d)
    {
        if (ValidateCommand(d.Topic, d.Subscription, nameof(DeleteSubscription)) is { } invalid)
        {
            Sender.Tell(invalid);
            return;
        }
        if (!_subscriptions.Remove(d.Subscription, out var sub))
        {
            ReplyAfterWrite(new SubscriptionDeleted(_topic, d.Subscription, Existed: false));
            return;
        }
        foreach (var consumer in sub.Consumers)
        {
            UnwatchIfUnused(consumer.Actor);
            consumer.Actor.Tell(Rejected(d.Subscription, nameof(Consume), RejectionCode.UnknownSubscription,
                $"Subscription '{d.Subscription}' of topic '{_topic}' was deleted."));
        }
        _bufferedControl.Add(new SubscriptionRemoved(d.Subscription));
        _bufferedReplies.Add(new Reply(Sender, new SubscriptionDeleted(_topic, d.Subscription, Existed: true)));
        Trim();
        TryWrite();
    }

    private void ReplyAfterWrite(object reply)
    {
        if (_writing) _bufferedReplies.Add(new Reply(Sender, reply));
        else Sender.Tell(reply);
    }

    // ---------------------------------------------------------------- consumers, deliveries, acks

    private void HandleConsume(Consume c)
    {
        if (FindSubscription(c.Subscription, nameof(Consume), c.Consumer) is not { } sub) return;
        if (c.MaxInFlight is < 1 or > 100_000)
        {
            c.Consumer.Tell(Rejected(c.Subscription, nameof(Consume), RejectionCode.Invalid,
                $"MaxInFlight is {c.MaxInFlight}; it must be between 1 and 100000."));
            return;
        }
        var consumer = sub.FindConsumer(c.Consumer);
        if (consumer is null)
        {
            sub.AddConsumer(c.Consumer, c.MaxInFlight, Now);
            Context.Watch(c.Consumer);
            c.Consumer.Tell(new ConsumerRegistered(_topic, c.Subscription));
            _log.Debug("Topic {0}/{1}: consumer {2} registered (window {3})", _topic, c.Subscription, c.Consumer, c.MaxInFlight);
        }
        else
        {
            consumer.LastSeen = Now;
            consumer.MaxInFlight = c.MaxInFlight;
        }
        Pump(sub);
        EnsureTicking();
    }

    private void HandleStopConsuming(StopConsuming s)
    {
        if (!_subscriptions.TryGetValue(s.Subscription, out var sub) || !sub.RemoveConsumer(s.Consumer)) return;
        UnwatchIfUnused(s.Consumer);
        Pump(sub);
    }

    private void HandleAck(Ack a)
    {
        if (FindSubscription(a.Subscription, nameof(Ack), Sender) is not { } sub) return;
        var last = _messages.LastSequence;
        var any = false;
        foreach (var seq in a.Sequences)
            if (seq >= 1 && seq <= last && sub.Ack(seq)) any = true;
        if (sub.FindConsumer(Sender) is { } consumer) consumer.LastSeen = Now;
        if (!any) return;
        TryWrite();
        Trim();
        Pump(sub);
        EnsureTicking();
    }

    private void HandleNack(Nack n)
    {
        if (FindSubscription(n.Subscription, nameof(Nack), Sender) is not { } sub) return;
        var delay = n.Delay < TimeSpan.Zero ? 0 : (long)n.Delay.TotalMilliseconds;
        sub.Nack(n.Sequence, delay, Now);
        if (delay == 0) Pump(sub);
        EnsureTicking();
    }

    private void HandlePublishTransient(PublishTransient p)
    {
        if (p.Messages.IsDefaultOrEmpty || !string.Equals(p.Topic, _topic, StringComparison.Ordinal)) return;
        foreach (var m in p.Messages)
            if (m.Size > _settings.MaxMessageSize)
            {
                // Fire-and-forget has no one to answer: the client checks sizes before sending; this guards the topic.
                _log.Warning("Topic {0}: dropped a transient batch with a {1}-byte message (max-message-size {2})",
                    _topic, m.Size, _settings.MaxMessageSize);
                return;
            }
        foreach (var sub in _subscriptions.Values)
        {
            var consumers = sub.Consumers;
            var sent = 0;
            for (var k = 0; k < consumers.Count && sent < p.Messages.Length; k++)
            {
                var consumer = consumers[(sub.TransientCursor + k) % consumers.Count];
                var take = Math.Min(_settings.TransientWindow - consumer.TransientInFlight, p.Messages.Length - sent);
                if (take <= 0) continue;
                var batch = sent == 0 && take == p.Messages.Length ? p.Messages : ImmutableArray.Create(p.Messages, sent, take);
                consumer.Actor.Tell(new Deliver(_topic, sub.Name, batch, ImmutableCollectionsMarshal.AsImmutableArray(new int[take])));
                consumer.TransientInFlight += take;
                sent += take;
            }
            if (consumers.Count > 0) sub.TransientCursor = (sub.TransientCursor + 1) % consumers.Count;
            if (sent < p.Messages.Length)
                _log.Debug("Topic {0}/{1}: {2} transient messages dropped (no consumer with room)", _topic, sub.Name, p.Messages.Length - sent);
        }
    }

    private void HandleTransientDone(TransientDone done)
    {
        if (_subscriptions.TryGetValue(done.Subscription, out var sub) && sub.FindConsumer(Sender) is { } consumer)
            consumer.TransientInFlight = Math.Max(0, consumer.TransientInFlight - done.Count);
    }

    private void RemoveConsumerEverywhere(IActorRef consumer)
    {
        foreach (var sub in _subscriptions.Values)
            if (sub.RemoveConsumer(consumer))
            {
                _log.Debug("Topic {0}/{1}: consumer {2} is gone; its deliveries go to the others", _topic, sub.Name, consumer);
                Pump(sub);
            }
    }

    private void UnwatchIfUnused(IActorRef consumer)
    {
        foreach (var sub in _subscriptions.Values)
            if (sub.FindConsumer(consumer) is not null) return;
        Context.Unwatch(consumer);
    }

    private void PumpAll()
    {
        foreach (var sub in _subscriptions.Values) Pump(sub);
    }

    private void Pump(SubscriptionState sub) =>
        sub.Pump(_messages, _messages.LastSequence, Now, _settings.DeliverBatchMessages, _settings.DeliverBatchBytes,
            (consumer, messages, attempts) => consumer.Actor.Tell(new Deliver(_topic, sub.Name,
                ImmutableCollectionsMarshal.AsImmutableArray(messages.ToArray()),
                ImmutableCollectionsMarshal.AsImmutableArray(attempts.ToArray()))));

    // ---------------------------------------------------------------- time

    /// <summary>
    /// Ticks only while something waits for the clock: nack delays at tick-interval; ack deadlines at a tenth
    /// of the shortest deadline, so thousands of topics with deliveries in flight do not each wake ten times a
    /// second for deadlines 30 s away.
    /// </summary>
    private void EnsureTicking()
    {
        TimeSpan? interval = null;
        foreach (var sub in _subscriptions.Values)
        {
            if (sub.HasDelayedRedeliveries)
            {
                interval = _settings.TickInterval;
                break;
            }
            if (sub.InFlight == 0) continue;
            var forDeadline = TimeSpan.FromTicks(Math.Max(_settings.TickInterval.Ticks, sub.AckDeadline.Ticks / 10));
            interval = interval is { } i && i < forDeadline ? i : forDeadline;
        }
        if (interval == _tickInterval) return;
        if (interval is { } every) Timers.StartPeriodicTimer(nameof(Tick), Tick.Instance, every);
        else Timers.Cancel(nameof(Tick));
        _tickInterval = interval;
    }

    private void OnTick()
    {
        var now = Now;
        foreach (var sub in _subscriptions.Values)
        {
            sub.Tick(now);
            Pump(sub);
        }
        TryWrite();
        EnsureTicking();
    }

    private void OnHousekeeping()
    {
        var now = Now;
        var silentSince = now - (long)_settings.ConsumerTimeout.TotalMilliseconds;
        foreach (var sub in _subscriptions.Values)
        {
            foreach (var consumer in sub.ExpireConsumers(silentSince))
            {
                _log.Info("Topic {0}/{1}: consumer {2} silent for {3}; its deliveries go to the others",
                    _topic, sub.Name, consumer.Actor, _settings.ConsumerTimeout);
                UnwatchIfUnused(consumer.Actor);
            }
            Pump(sub);
        }
        _producers.Expire(now, (long)_settings.ProducerExpiry.TotalMilliseconds);
        Trim();
    }

    // ---------------------------------------------------------------- retention and snapshots

    /// <summary>
    /// Drops what no subscription needs: with subscriptions, everything every one of them acknowledged;
    /// without, the oldest past the unsubscribed-retention limits.
    /// </summary>
    private void Trim()
    {
        if (_messages.Count == 0) return;
        if (_subscriptions.Count > 0)
        {
            var min = long.MaxValue;
            foreach (var sub in _subscriptions.Values) min = Math.Min(min, sub.Watermark);
            while (_messages.Oldest is { } oldest && oldest.Sequence <= min) _messages.RemoveOldest();
            return;
        }
        var cutoff = DateTime.UtcNow - _settings.UnsubscribedMaxAge;
        while (_messages.Oldest is { } oldest &&
               (_messages.Count > _settings.UnsubscribedMaxMessages || oldest.Timestamp < cutoff))
            _messages.RemoveOldest();
    }

    private void MaybeSnapshot()
    {
        var snapshotBytes = _messages.Bytes + (long)MessageOverhead * _messages.Count;
        if (_snapshotting || _bytesSinceSnapshot < Math.Max(_settings.MinSnapshotBytes, snapshotBytes)) return;
        _snapshotting = true;
        _bytesSinceSnapshot = 0;
        _log.Debug("Topic {0}: snapshot at journal position {1} ({2} retained messages)", _topic, LastSequenceNr, _messages.Count);
        SaveSnapshot(new TopicSnapshot(
            _messages.LastSequence,
            [.. _messages.All()],
            // A subscription created from Latest while publishes were still buffered has a watermark past the
            // persisted log; those sequence numbers are only promised once written, so the snapshot stops at the log.
            [.. _subscriptions.Values.Select(s => new SubscriptionSnapshot(
                s.Name, Math.Min(s.Watermark, _messages.LastSequence), [.. s.AckedAbove.Order()], s.AckDeadline))],
            [.. _producers.PersistedRuns(_messages.LastSequence)]));
    }

    private void OnSnapshotSaved(SaveSnapshotSuccess success)
    {
        _snapshotting = false;
        var upTo = success.Metadata.SequenceNr;
        _log.Debug("Topic {0}: snapshot at {1} saved; deleting the journal up to it", _topic, upTo);
        DeleteMessages(upTo);
        DeleteSnapshots(new SnapshotSelectionCriteria(upTo - 1));
        // Writes made while this snapshot was saved may already call for the next one; take it now rather
        // than on the next write, which may never come for a topic that went quiet.
        if (!_writing) MaybeSnapshot();
    }

    // ---------------------------------------------------------------- stopping

    private void BeginStop()
    {
        _stopping = true;
        Context.SetReceiveTimeout(null);
        TryWrite();
        if (!_writing) Context.Stop(Self);
    }

    private void PassivateIfUnknown()
    {
        // An entity started only by a query or a stray ack for a topic that does not exist goes away at once.
        if (!Exists && !_writing) Context.Parent.Tell(new Passivate(TopicStop.Instance));
    }

    // ---------------------------------------------------------------- helpers

    private SubscriptionState? FindSubscription(string subscription, string command, IActorRef replyTo)
    {
        if (_subscriptions.TryGetValue(subscription, out var sub)) return sub;
        replyTo.Tell(Exists
            ? Rejected(subscription, command, RejectionCode.UnknownSubscription,
                $"Topic '{_topic}' has no subscription '{subscription}'; create it first.")
            : Rejected(subscription, command, RejectionCode.UnknownTopic,
                $"Topic '{_topic}' does not exist (it never had a message or a subscription)."));
        PassivateIfUnknown();
        return null;
    }

    private CommandRejected? ValidateCommand(string topic, string subscription, string command)
    {
        if (!string.Equals(topic, _topic, StringComparison.Ordinal))
            return Rejected(subscription, command, RejectionCode.Invalid, $"{command} for topic '{topic}' reached topic '{_topic}'.");
        return TopicNames.ValidateSubscription(subscription) is { } error
            ? Rejected(subscription, command, RejectionCode.Invalid, error)
            : null;
    }

    private CommandRejected Rejected(string? subscription, string command, RejectionCode code, string reason) =>
        new(_topic, subscription, command, code, reason);

    private TopicInfo Info()
    {
        var last = _messages.LastSequence;
        return new TopicInfo(_topic, Exists, last, _messages.FirstSequence, _messages.Count, _messages.Bytes,
            [.. _subscriptions.Values.OrderBy(s => s.Name, StringComparer.Ordinal)
                .Select(s => new SubscriptionInfo(s.Name, s.Watermark, s.Pending(last), s.InFlight, s.Consumers.Count, s.AckDeadline))],
            ((ExtendedActorSystem)Context.System).Provider.DefaultAddress.ToString());
    }
}
