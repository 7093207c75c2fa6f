using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using ActorPubSub.Observability;
using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Messages;

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
internal sealed partial class TopicActor : ReceivePersistentActor, IWithTimers
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
    private readonly MessageIdTable _messageIds;
    private readonly IActorRef _deadLetters;
    private TopicRetention? _retention;     // null: the node's default

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
    private bool _draining;   // stopping, waiting for the acks of deliveries in flight

    // Within CoordinatedShutdown's sharding phase (10 s by default) with room for the last write.
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private sealed class DrainDeadline
    {
        public static readonly DrainDeadline Instance = new();
        private DrainDeadline() { }
    }

    // Observability: this topic's instruments, the span of the write in flight, recovery timing.
    private readonly TopicMetrics _metrics;
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private Activity? _writeActivity;
    private int _writingMessages;
    private bool _subscriptionSetChanged = true;
    private bool _passivating;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="deadLetters">The dead-letter shard region: where dead-lettered messages go.</param>
    public static Props Props(string topic, TopicSettings settings, IActorRef deadLetters) =>
        Akka.Actor.Props.Create(() => new TopicActor(topic, settings, deadLetters));

    public TopicActor(string topic, TopicSettings settings, IActorRef deadLetters)
    {
        _topic = topic;
        _settings = settings;
        _deadLetters = deadLetters;
        _messageIds = new MessageIdTable(settings.DedupWindow, settings.DedupMaxIds);
        _metrics = new TopicMetrics(topic);
        PersistenceId = TopicNames.TopicPersistenceId(topic);
        JournalPluginId = settings.JournalPluginId;
        SnapshotPluginId = settings.SnapshotPluginId;

        Recover<SnapshotOffer>(offer => RestoreSnapshot((TopicSnapshot)offer.Snapshot));
        Recover<MessagesAppended>(e => { AppendPersisted(e); RestoreProducers(e); });
        Recover<SubscriptionAdded>(ApplySubscriptionAdded);
        Recover<SubscriptionRemoved>(e => _subscriptions.Remove(e.Subscription));
        Recover<AcksRecorded>(RestoreAcks);
        Recover<DeliveriesFailed>(e => RestoreFailures(e.Failures));
        Recover<MessagesDeadLettered>(e => ApplyDeadLettered(e, persisted: true));
        Recover<DeadLettersConfirmed>(e => { if (_subscriptions.TryGetValue(e.Subscription, out var sub)) sub.ConfirmTransfers(e.UpToId); });
        Recover<RedriveRecorded>(e => { if (_subscriptions.TryGetValue(e.Subscription, out var sub)) sub.Redrive(e.Messages); });
        Recover<CursorMoved>(ApplyCursorMoved);
        Recover<RetentionChanged>(e => _retention = e.Retention);
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
        Command<Seek>(HandleSeek);
        Command<ConfigureTopic>(HandleConfigureTopic);
        Command<RedriveMessages>(HandleRedrive);
        Command<DeadLettersStored>(HandleDeadLettersStored);
        Command<GetTopicInfo>(_ => { Sender.Tell(Info()); PassivateIfUnknown(); });
        Command<Terminated>(t => RemoveConsumerEverywhere(t.ActorRef));
        Command<Tick>(_ => OnTick());
        Command<Housekeeping>(_ => OnHousekeeping());
        Command<TopicStop>(_ => BeginStop());
        Command<DrainDeadline>(_ =>
        {
            if (!_draining) return;
            _log.Info("Topic {0}: stopping with deliveries still unacknowledged after {1}; they are delivered again", _topic, DrainTimeout);
            FinishStop();
        });
        Command<ReceiveTimeout>(_ =>
        {
            _passivating = true;
            _log.Debug("Topic {Topic}: idle for {IdleTimeout}; passivating", _topic, _settings.IdleTimeout);
            Context.Parent.Tell(new Passivate(TopicStop.Instance));
        });
        Command<DeadLetterCount>(HandleDeadLetterCount);
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

    private TopicRetention Retention => _retention ?? _settings.DefaultRetention;

    // ---------------------------------------------------------------- recovery

    private void RestoreSnapshot(TopicSnapshot snapshot)
    {
        foreach (var m in snapshot.Retained) _messages.Append(m);
        if (_messages.Count == 0) _messages.ResetEmpty(snapshot.LastSequence);
        _nextSequence = snapshot.LastSequence + 1;
        _retention = snapshot.Retention;
        var now = Now;
        var utcNow = DateTime.UtcNow;
        foreach (var s in snapshot.Subscriptions)
        {
            var sub = NewSubscription(s.Name, s.Watermark, s.Config);
            foreach (var seq in s.AckedAbove) sub.RestoreAck(seq);
            sub.Redrive(s.Redriven);
            foreach (var t in s.Transfers) sub.ApplyDeadLettered(t);
            sub.RestoreTransferIds(s.LastTransferId);
            foreach (var f in s.Failures) sub.RestoreFailure(f, now, utcNow);
            _subscriptions[s.Name] = sub;
        }
        foreach (var run in snapshot.Producers) _producers.Restore(run, now);
        foreach (var id in snapshot.MessageIds) _messageIds.Record(id.MessageId, id.Sequence, id.Timestamp);
    }

    private void RestoreFailures(ImmutableArray<DeliveryFailure> failures)
    {
        var now = Now;
        var utcNow = DateTime.UtcNow;
        foreach (var f in failures)
            if (_subscriptions.TryGetValue(f.Subscription, out var sub)) sub.RestoreFailure(f, now, utcNow);
        _bytesSinceSnapshot += EventOverhead * failures.Length;
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
        foreach (var sub in _subscriptions.Values)
        {
            SendTransfers(sub);
            AskDeadLetterCount(sub);
        }
        EnsureTicking();
        Timers.StartPeriodicTimer(nameof(Housekeeping), Housekeeping.Instance, HousekeepingInterval);
        Context.SetReceiveTimeout(_settings.IdleTimeout);
        TopicRegistry.Started(_metrics);
        PublishGauges();
        var elapsedMs = (long)Stopwatch.GetElapsedTime(_startedAt).TotalMilliseconds;
        // A topic seen for the first time (a new topic, or a query for one that does not exist) is not news at info.
        if (Exists)
            _log.Info("Topic {Topic} recovered with {RetainedMessages} retained messages (last sequence {LastSequence}) and {Subscriptions} subscriptions in {ElapsedMs} ms",
                _topic, _messages.Count, _messages.LastSequence, _subscriptions.Count, elapsedMs);
        else _log.Debug("Topic {Topic} started (new: nothing in the journal) in {ElapsedMs} ms", _topic, elapsedMs);
    }

    protected override void PostStop()
    {
        TopicRegistry.Stopped(_metrics, _passivating);
        if (_writeActivity is { } activity)
        {
            _writeActivity = null;
            PersistTracing.Stop(activity, new InvalidOperationException("the topic stopped during the write"));
        }
        base.PostStop();
    }

    private TimeSpan HousekeepingInterval =>
        TimeSpan.FromMilliseconds(Math.Max(_settings.TickInterval.TotalMilliseconds, _settings.ConsumerTimeout.TotalMilliseconds / 3));

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
                .Select(s => new SubscriptionInfo(s.Name, s.Watermark, s.Pending(last), s.InFlight, s.Consumers.Count, s.AckDeadline,
                    s.Config.MaxDeliveryAttempts, s.Config.OrderedByKey, s.Config.Filter, s.Transfers.Count,
                    OldestUnackedAge(s, last), s.StoredDeadLetters))],
            ((ExtendedActorSystem)Context.System).Provider.DefaultAddress.ToString(),
            Retention);
    }

    private static TimeSpan OldestUnackedAge(SubscriptionState sub, long last) =>
        sub.OldestUnacked(last) is { } oldest && DateTime.UtcNow - oldest is var age && age > TimeSpan.Zero ? age : TimeSpan.Zero;
}
