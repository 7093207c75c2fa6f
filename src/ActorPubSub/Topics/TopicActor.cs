using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using ActorPubSub.Fencing;
using ActorPubSub.Journal;
using ActorPubSub.Memory;
using ActorPubSub.Observability;
using ActorPubSub.Remoting;

namespace ActorPubSub.Topics;

/// <summary>
/// One topic: a Cluster.Sharding entity and persistent actor that owns the topic's message log, its durable
/// subscriptions and their delivery state (<see cref="TopicState"/>). It receives, asks a plain part
/// (<see cref="PublishGate"/>, <see cref="ConsumerProtocol"/>, <see cref="TopicCommands"/>, ...), persists
/// what the <see cref="GroupCommit"/> collected, and tells.
/// </summary>
/// <remarks>
/// <para><b>Phases.</b> Recovering (the Recover handlers; commands wait), Active, then on hand-off or
/// passivation Draining (deliver nothing more, wait for the acks in flight) and Stopping (finish the last
/// write, stop). Each is a behaviour.</para>
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
    private sealed class Tick : INotInfluenceReceiveTimeout { public static readonly Tick Instance = new(); private Tick() { } }
    private sealed class Housekeeping : INotInfluenceReceiveTimeout { public static readonly Housekeeping Instance = new(); private Housekeeping() { } }
    private sealed class WriteDone { public static readonly WriteDone Instance = new(); private WriteDone() { } }
    private sealed class DrainDeadline { public static readonly DrainDeadline Instance = new(); private DrainDeadline() { } }
    private sealed class FenceLapsed { public static readonly FenceLapsed Instance = new(); private FenceLapsed() { } }
    private sealed class HolderReleased { public static readonly HolderReleased Instance = new(); private HolderReleased() { } }

    private enum Phase { Active, Draining, Stopping }

    // Within CoordinatedShutdown's sharding phase (10 s by default) with room for the last write.
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    // A read of the log the journal has not answered by then is tried again (by a new reader).
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    // Commands waiting for a read of the log (a seek by time); more are refused rather than held.
    private const int MaxWaitingForRead = 100;

    private readonly string _topic;
    private readonly TopicSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TopicState _state;
    private readonly GroupCommit _commit;
    private readonly SyncedReplies _synced = new();
    private readonly SyncNotices _notices;
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private Phase _phase = Phase.Active;
    private TimeSpan? _tickInterval;        // the running Tick timer's interval; null: not ticking
    private Activity? _writeActivity;       // the span of the write in flight
    private Exception? _writeRejected;
    private bool _passivated;
    private bool _releasingHolder;           // deleting its holder row before it stops (StopNow)
    private bool _started;                  // claimed and active (a fenced copy never started)
    private readonly NodeMemory _memory;
    private IActorRef? _reader;             // reads the log back from the journal; created on the first read
    private readonly List<(object Command, IActorRef Sender)> _waitingForRead = [];
    private bool _wroteSinceHousekeeping;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="deadLetters">The dead-letter shard region: where dead-lettered messages go.</param>
    public static Props Props(string topic, TopicSettings settings, IActorRef deadLetters) =>
        Akka.Actor.Props.Create(() => new TopicActor(topic, settings, deadLetters));

    public TopicActor(string topic, TopicSettings settings, IActorRef deadLetters)
    {
        _topic = topic;
        _settings = settings;
        _memory = NodeMemory.For(Context.System);
        _memory.Join();
        _state = new TopicState(topic, settings, deadLetters, Self, consumer => Context.Watch(consumer),
            consumer => Context.Unwatch(consumer), _log, _memory);
        _commit = _state.Commit;
        _state.Gate.Checks = TopicPublishCheck.For(Context.System);
        PersistenceId = TopicNames.TopicPersistenceId(topic);
        JournalPluginId = settings.JournalPluginId;
        SnapshotPluginId = settings.SnapshotPluginId;
        _notices = SyncNotices.For(Context.System);
        _notices.Listen(PersistenceId, Self);

        // Recovering: the replay rebuilds the state; commands wait (Akka.Persistence stashes them) until it completed.
        Recover<SnapshotOffer>(offer => _state.Restore((TopicSnapshot)offer.Snapshot, Now, DateTime.UtcNow));
        Recover<ITopicEvent>(e => _state.Replay(e, LastSequenceNr, Now, DateTime.UtcNow));
        Recover<RecoveryCompleted>(_ => Claim());
        Active();
    }

    public override string PersistenceId { get; }

    private static long Now => Environment.TickCount64;

    // ---------------------------------------------------------------- phases

    private void Active()
    {
        Command<TopicStop>(_ => BeginStop());
        Command<ReceiveTimeout>(_ =>
        {
            _passivated = true;
            _log.Debug("Topic {Topic}: idle for {IdleTimeout}; passivating", _topic, _settings.IdleTimeout);
            Context.Parent.Tell(new Passivate(TopicStop.Instance));
        });
        Commands();
    }

    /// <summary>Stopping: deliver nothing more; the last of the deliveries in flight to finish ends the drain.</summary>
    private void Draining()
    {
        Command<Ack>(a => { Do(_state.Consumers.Ack(a, Sender, Now)); FinishDrainWhenIdle(); });
        Command<Nack>(n => { Do(_state.Consumers.Nack(n, Sender, Now, DateTime.UtcNow)); FinishDrainWhenIdle(); });
        Command<StopConsuming>(s => { Do(_state.Consumers.StopConsuming(s, Now)); FinishDrainWhenIdle(); });
        Command<Terminated>(t => { Do(_state.Consumers.Terminated(t.ActorRef, Now)); FinishDrainWhenIdle(); });
        Command<Tick>(_ => { Do(_state.Consumers.Tick(Now, DateTime.UtcNow)); FinishDrainWhenIdle(); });
        Command<DrainDeadline>(_ =>
        {
            _log.Info("Topic {Topic}: stopping with deliveries still unacknowledged after {DrainTimeout}; they are delivered again",
                _topic, DrainTimeout);
            FinishStop();
        });
        Stopping();
    }

    /// <summary>Drained: what is pending is written, then the topic stops (<see cref="OnWriteDone"/>).</summary>
    private void Stopping()
    {
        Command<TopicStop>(_ => { });
        Command<ReceiveTimeout>(_ => { });
        Commands();
    }

    /// <summary>What every phase handles; a phase's own handlers, registered first, take precedence.</summary>
    private void Commands()
    {
        Command<Publish>(p => { Accept(p, Sender); TryWrite(); });
        Command<PublishBatch>(batch =>
        {
            if (batch.Publishes.IsDefaultOrEmpty) return;
            var sender = Sender;
            foreach (var p in batch.Publishes) Accept(p, sender, batch.CompactReceipts);
            TryWrite();
        });
        Command<Consume>(c => Do(_state.Consumers.Consume(c, Now)));
        Command<Ack>(a => Do(_state.Consumers.Ack(a, Sender, Now)));
        Command<Nack>(n => Do(_state.Consumers.Nack(n, Sender, Now, DateTime.UtcNow)));
        Command<StopConsuming>(s =>
        {
            Do(_state.Consumers.StopConsuming(s, Now));
            _state.Consumers.GiveTransientCredit();   // transient messages that waited for it are dropped
        });
        Command<Terminated>(t =>
        {
            Do(_state.Consumers.Terminated(t.ActorRef, Now));
            _state.Consumers.GiveTransientCredit();
        });
        Command<PublishTransient>(p => _state.Consumers.Transient(p, Sender));
        Command<TransientDone>(done => _state.Consumers.TransientDone(done, Sender));
        Command<TransientDemand>(demand => _state.Consumers.TransientDemand(demand, Sender));
        Command<CreateSubscription>(c => Settle(_state.Commands.Create(c)));
        Command<DeleteSubscription>(d => Settle(_state.Commands.Delete(d)));
        Command<Seek>(s => Settle(_state.Commands.Seek(s, Now), s));
        Command<JournalReader.Page>(OnPageRead);
        Command<JournalReader.ReadFailed>(OnReadFailed);
        Command<ConfigureTopic>(c => Settle(_state.Commands.Configure(c)));
        Command<RedriveMessages>(r => Settle(_state.Commands.Redrive(r, Now)));
        Command<DeadLettersStored>(stored =>
        {
            if (DeadLetterOutbox.Stored(_state.Subscriptions, stored) is not { } confirmed) return;
            _commit.AddControl(confirmed);
            Do(Then.Write | Then.Trim);
        });
        Command<DeadLetterCount>(count => { if (DeadLetterOutbox.Counted(_state.Subscriptions, count)) Do(Then.Gauges); });
        Command<GetTopicInfo>(_ =>
        {
            Outbound.Tell(Sender, _state.Info(((ExtendedActorSystem)Context.System).Provider.DefaultAddress.ToString()));
            PassivateIfUnknown();
        });
        Command<Tick>(_ => Do(_state.Consumers.Tick(Now, DateTime.UtcNow)));
        Command<Housekeeping>(_ => OnHousekeeping());
        Command<DrainDeadline>(_ => { });
        Command<SaveSnapshotSuccess>(OnSnapshotSaved);
        Command<SaveSnapshotFailure>(f =>
        {
            _state.Snapshots.Failed();
            _log.Warning(f.Cause, "Topic {Topic}: snapshot at {JournalPosition} failed; the journal is kept and replayed instead",
                _topic, f.Metadata.SequenceNr);
        });
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning(f.Cause, "Topic {Topic}: deleting journal up to {JournalPosition} failed", _topic, f.ToSequenceNr));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning(f.Cause, "Topic {Topic}: deleting old snapshots failed", _topic));
        Command<JournalSynced>(OnSynced);
        Command<JournalSyncFailed>(OnSyncFailed);
    }

    private void Enter(Phase phase)
    {
        _phase = phase;
        Become(phase == Phase.Draining ? Draining : Stopping);
    }

    /// <summary>
    /// Hand-off or passivation: deliver nothing more, wait (at most <see cref="DrainTimeout"/>) for the acks of the
    /// deliveries in flight, write what is pending, then stop. Acks that reached a stopped topic would be lost and
    /// their messages delivered again by the next incarnation (a duplicate on every rolling restart under load).
    /// </summary>
    private void BeginStop()
    {
        Context.SetReceiveTimeout(null);
        _state.Subscriptions.StopDelivering();
        if (_state.Subscriptions.AnyInFlight)
        {
            Enter(Phase.Draining);
            Timers.StartSingleTimer(nameof(DrainTimeout), DrainDeadline.Instance, DrainTimeout);
            return;
        }
        FinishStop();
    }

    private void FinishDrainWhenIdle()
    {
        if (!_state.Subscriptions.AnyInFlight) FinishStop();
    }

    private void FinishStop()
    {
        Timers.Cancel(nameof(DrainTimeout));
        Enter(Phase.Stopping);
        TryWrite();
        if (Settled) StopNow();
    }

    /// <summary>
    /// Nothing in flight, nothing waiting for a write (one may wait for a sync: <see cref="TryWrite"/>) and no confirmation
    /// waiting for its fsync: the topic may stop.
    /// </summary>
    private bool Settled => !_commit.IsWriting && !_synced.Waiting && !_commit.HasWork(_state.Subscriptions.UnflushedAcks);

    /// <summary>
    /// Stops the topic. A topic that never wrote anything (a query or an ack for a topic that does not exist) first deletes
    /// its holder row, or every name ever asked for would keep one: with an empty journal there is nothing a later holder
    /// could miss, so any member may claim it from nobody. Only this member's row is deleted (a newer holder's stays), and
    /// before this incarnation stops, so that a next one on this node cannot claim in between and lose its row.
    /// </summary>
    private void StopNow()
    {
        var fencing = TopicFencing.For(Context.System);
        if (_releasingHolder) return;
        if (!_started || _state.Exists || LastSequenceNr != 0 || !fencing.IsActive)
        {
            Context.Stop(Self);
            return;
        }
        _releasingHolder = true;
        Become(() =>
        {
            Command<HolderReleased>(_ => Context.Stop(Self));
            CommandAny(_ => { });   // stopping: what comes now goes where a stopped topic's messages go
        });
        fencing.ReleaseTopicAsync(PersistenceId).PipeTo(Self, success: () => HolderReleased.Instance,
            failure: e =>
            {
                _log.Warning("Topic {Topic}: could not delete its holder row (it stays until the topic is next used): {Reason}", _topic, e.Message);
                return HolderReleased.Instance;
            });
    }

    // ---------------------------------------------------------------- recovery and stop

    /// <summary>
    /// After recovery, before any command: the topic claims its topic in the database (<see cref="TopicFencing"/>), so it
    /// is never live in two clusters on one database. Commands wait meanwhile (one round trip, at the topic's start only).
    /// </summary>
    private void Claim()
    {
        var fencing = TopicFencing.For(Context.System);
        if (!fencing.IsActive)
        {
            OnRecovered();
            return;
        }
        Become(() =>
        {
            Command<ClaimResult>(OnClaimed);
            CommandAny(_ => Stash.Stash());
        });
        fencing.ClaimAsync(PersistenceId, $"/system/sharding/{TopicRegion.TypeName}/*/*").PipeTo(Self,
            failure: e => new ClaimResult.Failed(e.Message));
    }

    private void OnClaimed(ClaimResult result)
    {
        switch (result)
        {
            case ClaimResult.Granted granted:
                if (granted.Previous is { } previous) _log.Info("Topic {Topic}: taken over from {PreviousHost}", _topic, previous);
                Become(Active);
                Stash.UnstashAll();
                OnRecovered();
                return;
            case ClaimResult.Fenced fenced:
                _log.Error("Topic {Topic} refused here: {Reason}", _topic, fenced.Reason);
                Fence(fenced.Reason, fenced.Holder.LeaseLeft);
                return;
            case ClaimResult.Failed failed:
                _log.Warning("Topic {Topic}: not started: {Reason}", _topic, failed.Reason);
                Fence($"topic '{_topic}' could not be started: {failed.Reason}; try again", TimeSpan.Zero, RejectionCode.StorageFailure);
                return;
        }
    }

    /// <summary>
    /// Fenced (or its claim failed): refuses what waited and what comes, then stops once the other holder's lease may have
    /// lapsed; the next command starts the topic again (recovering what the other holder wrote) and claims anew.
    /// </summary>
    private void Fence(string reason, TimeSpan holderLeaseLeft, RejectionCode code = RejectionCode.Fenced)
    {
        Become(() =>
        {
            Command<FenceLapsed>(_ => Context.Stop(Self));
            // a hand-off or passivation of a copy that holds nothing: stop at once, or the shard would wait for its timeout
            Command<TopicStop>(_ => Context.Stop(Self));
            CommandAny(command =>
            {
                if (!FencedCommands.Answerable(Sender)) return;
                foreach (var reply in FencedCommands.Replies(_topic, command, reason, code)) Outbound.Tell(Sender, reply);
            });
        });
        Stash.UnstashAll();
        var wait = holderLeaseLeft < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : holderLeaseLeft;
        Timers.StartSingleTimer(nameof(FenceLapsed), FenceLapsed.Instance, wait);
    }

    private void OnRecovered()
    {
        _synced.Recovered(LastSequenceNr);
        _state.Recovered();
        EnsureTicking();
        Timers.StartPeriodicTimer(nameof(Housekeeping), Housekeeping.Instance,
            TimeSpan.FromMilliseconds(Math.Max(_settings.TickInterval.TotalMilliseconds, _settings.ConsumerTimeout.TotalMilliseconds / 3)));
        Context.SetReceiveTimeout(_settings.IdleTimeout);
        TopicRegistry.Started(_state.Metrics);
        _started = true;
        _state.Gauges.Publish();
        var elapsedMs = (long)Stopwatch.GetElapsedTime(_startedAt).TotalMilliseconds;
        // A topic seen for the first time (a new topic, or a query for one that does not exist) is not news at info.
        if (_state.Exists)
            _log.Info("Topic {Topic} recovered with {RetainedMessages} retained messages (last sequence {LastSequence}) and {Subscriptions} subscriptions in {ElapsedMs} ms",
                _topic, _state.Log.Count, _state.Log.LastSequence, _state.Subscriptions.Count, elapsedMs);
        else _log.Debug("Topic {Topic} started (new: nothing in the journal) in {ElapsedMs} ms", _topic, elapsedMs);
    }

    protected override void PostStop()
    {
        _notices.Leave(PersistenceId, Self);
        _state.Log.Release();
        _memory.Leave();
        if (_started) TopicRegistry.Stopped(_state.Metrics, _passivated);
        if (_writeActivity is { } activity)
        {
            _writeActivity = null;
            PersistTracing.Stop(activity, new InvalidOperationException("the topic stopped during the write"));
        }
        base.PostStop();
    }

    private void PassivateIfUnknown()
    {
        // An entity started only by a query or a stray ack for a topic that does not exist goes away at once.
        if (!_state.Exists && !_commit.IsWriting) Context.Parent.Tell(new Passivate(TopicStop.Instance));
    }

    // ---------------------------------------------------------------- the write pipeline

    private void Accept(Publish p, IActorRef sender, bool compactReceipts = false)
    {
        if (_state.Accept(p, sender, Now, DateTime.UtcNow, compactReceipts) is not { } reply) return;
        // A duplicate's receipt confirms a message that may still wait for its fsync.
        if (reply is PublishReceipt && MustWaitForSync) _synced.Park(LastSequenceNr, [new GroupCommit.Reply(sender, reply, compactReceipts)]);
        else Outbound.Tell(sender, reply);
    }

    /// <summary>Starts the next journal write with everything buffered, unless one is running.</summary>
    private void TryWrite()
    {
        if (_commit.IsWriting) return;
        var acks = _state.Subscriptions.UnflushedAcks;
        if (!_commit.HasWork(acks))
        {
            // Replies that waited for the write that just finished (nothing new to write).
            if (_commit.PendingReplies > 0) Send(_commit.TakeReplies());
            return;
        }
        // The next write waits for the last one's fsync: writes would otherwise follow each other as fast as SQLite
        // commits, each with a handful of messages and its own WAL pages, and a busy topic would spend its time
        // committing. What arrives meanwhile goes into one write after the sync (OnSynced), as before the split; the
        // messages of the last write are delivered meanwhile, which is the point.
        if (_synced.WriteUnsynced) return;
        if (_commit.Messages.Count > 0) _writeActivity = PersistTracing.Start(_topic, _commit.Messages);
        // Acks that arrived while the previous write ran go with this one: their group commit.
        var events = _commit.Begin(acks > 0 ? _state.Subscriptions.TakeAcks() : null);
        _state.Metrics.WriteStarted();
        _wroteSinceHousekeeping = true;
        PersistAllAsync(events, e => _state.Written(e, LastSequenceNr, Now));
        DeferAsync(WriteDone.Instance, _ => OnWriteDone());
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        // A journal that lost part of the log is not skipped over: the topic stops and says what is missing.
        _log.Error(reason, "Topic {Topic}: recovery of {PersistenceId} failed at {EventType}: {Reason}; the journal lacks part of the log " +
                           "or cannot be read. The topic stops.", _topic, PersistenceId, message?.GetType().Name ?? "the start", reason.Message);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "Topic {Topic}: the journal rejected {EventType} at {JournalPosition}", _topic, @event.GetType().Name, sequenceNr);
        _writeRejected = cause;
    }

    private void OnWriteDone()
    {
        var replies = _commit.Complete();
        if (_writeActivity is { } activity)
        {
            _writeActivity = null;
            PersistTracing.Stop(activity, _writeRejected);
        }
        if (_writeRejected is { } rejected)
        {
            // Nothing of this write is stored: refuse its publishes, then restart to reload the true state
            // (sequence numbers were handed out for messages that will never exist).
            foreach (var r in replies) Outbound.Tell(r.To, GroupCommit.Refuse(_topic, r, rejected).Message);
            throw new InvalidOperationException($"Topic {_topic}: journal write rejected; restarting to recover.", rejected);
        }
        _state.Metrics.WriteSucceeded(_commit.WritingMessages);
        if (_notices.Splits(Journal)) _synced.Written(LastSequenceNr);
        Send(replies);
        replies.Clear();

        _state.Retention.Trim();
        _state.TruncateToLimits(DateTime.UtcNow);
        _state.Subscriptions.PumpAll(Now);
        AfterPump();
        MaybeSnapshot();
        _state.Gauges.Publish();
        TryWrite();
        if (_phase == Phase.Stopping && Settled) StopNow();
        EnsureTicking();
    }

    /// <summary>
    /// True when a confirmation of the journal as it is now must wait for an fsync: the journal completes this topic's
    /// writes once written (<see cref="SyncNotices"/>) and the last of them is not synced yet, or replies wait already.
    /// </summary>
    private bool MustWaitForSync => _synced.MustWait(LastSequenceNr) && _notices.Splits(Journal);

    /// <summary>Sends the replies of a write, or parks them until that write is synced.</summary>
    private void Send(List<GroupCommit.Reply> replies)
    {
        if (replies.Count == 0) return;
        if (MustWaitForSync)
        {
            _synced.Park(LastSequenceNr, replies);
            return;
        }
        Tell(replies);
    }

    private void Tell(List<GroupCommit.Reply> replies)
    {
        foreach (var r in GroupCommit.Coalesce(_topic, replies)) Outbound.Tell(r.To, r.Message);
    }

    private void OnSynced(JournalSynced synced)
    {
        Tell(_synced.Synced(synced.UpToSequenceNr));
        TryWrite();
        if (_phase == Phase.Stopping && Settled) StopNow();
    }

    private void OnSyncFailed(JournalSyncFailed failed)
    {
        // Committed but maybe not on disk: refuse what waited for it (a publisher tries again; the copy of a message
        // that did survive is recognised as a duplicate), then restart to recover the state from what the journal has.
        var waiting = _synced.Failed();
        _log.Error(failed.Reason, "Topic {Topic}: the journal could not sync its writes up to {JournalPosition}; refusing {Replies} " +
                                  "confirmations that waited for it and restarting", _topic, failed.UpToSequenceNr, waiting.Count);
        foreach (var r in waiting) Outbound.Tell(r.To, GroupCommit.Refuse(_topic, r, failed.Reason).Message);
        throw new InvalidOperationException($"Topic {_topic}: the journal's sync up to {failed.UpToSequenceNr} failed; restarting to recover.", failed.Reason);
    }

    private void MaybeSnapshot(bool quiet = false)
    {
        if (!_state.Snapshots.TryStart(TopicSnapshots.EstimateBytes(_state.Log, _state.Subscriptions, _state.Gate), quiet)) return;
        _log.Debug("Topic {Topic}: snapshot at journal position {JournalPosition} ({RetainedMessages} retained messages)",
            _topic, LastSequenceNr, _state.Log.Count);
        SaveSnapshot(_state.Capture(DateTime.UtcNow));
    }

    private void OnSnapshotSaved(SaveSnapshotSuccess success)
    {
        var (snapshotAt, olderSnapshots) = _state.Snapshots.Saved(success.Metadata);
        // Events before the snapshot are covered by it, but those holding retained messages are the log itself.
        var upTo = _state.Log.JournalNotNeededUpTo(snapshotAt);
        _log.Debug("Topic {Topic}: snapshot at {JournalPosition} saved; deleting the journal up to {DeleteUpTo}", _topic, snapshotAt, upTo);
        if (upTo > 0) DeleteMessages(upTo);
        DeleteSnapshots(olderSnapshots);
        // Writes made while this snapshot was saved may already call for the next one; take it now rather
        // than on the next write, which may never come for a topic that went quiet.
        if (!_commit.IsWriting) MaybeSnapshot();
    }

    // ---------------------------------------------------------------- follow-ups

    /// <summary>Carries out an administrative command's verdict: buffer its events, reply, follow up.</summary>
    /// <param name="command">The command, when it may have to wait for a read of the log.</param>
    private void Settle(TopicCommands.Verdict verdict, object? command = null)
    {
        switch (verdict)
        {
            case TopicCommands.Write write:
                foreach (var e in write.Events) _commit.AddControl(e);
                _commit.AddReply(Sender, write.Message);
                Do(write.Then);
                break;
            case TopicCommands.ReplyAfterWrite after:
                if (_commit.IsWriting) _commit.AddReply(Sender, after.Message);   // never "exists" before it is durable
                else Send([new GroupCommit.Reply(Sender, after.Message)]);
                break;
            case TopicCommands.Reply reply:
                Outbound.Tell(Sender, reply.Message);
                Do(reply.Then);
                break;
            case TopicCommands.AfterRead:
                if (_waitingForRead.Count >= MaxWaitingForRead)
                {
                    Sender.Tell(new Status.Failure(new InvalidOperationException(
                        $"Topic {_topic}: {MaxWaitingForRead} requests already wait for a read of the log; try again.")));
                    break;
                }
                _waitingForRead.Add((command ?? throw new InvalidOperationException("Only a seek waits for a read."), Sender));
                RequestReads();
                EnsureTicking();
                break;
        }
    }

    // ---------------------------------------------------------------- reading the log back

    /// <summary>After pumps: trim what filters acknowledged, and read back what the pumps found only on disk.</summary>
    private void AfterPump()
    {
        if (_state.Subscriptions.TakeFiltered()) _state.Retention.Trim();
        RequestReads();
    }

    /// <summary>Starts reading the chunk of the log wanted next (one read at a time), if any.</summary>
    private void RequestReads()
    {
        if (_state.Log.NextRead() is not { } chunk) return;
        _reader ??= Context.ActorOf(JournalReader.Props(PersistenceId, JournalPluginId, ReadTimeout));
        _reader.Tell(new JournalReader.Read(chunk.FirstSequence, chunk.FirstJournalSeqNr, chunk.LastJournalSeqNr,
            chunk.LastJournalSeqNr - chunk.FirstJournalSeqNr + 1));
    }

    private void OnPageRead(JournalReader.Page page)
    {
        if (_state.Log.Reading is not { } chunk || chunk.FirstSequence != page.Request.Id) return;
        if (_state.Log.PageRead(chunk, page.Events) is { } missing)
        {
            // The journal lost part of the log it must hold: stop rather than deliver around a hole.
            _log.Error("Topic {Topic}: the journal of {PersistenceId} lacks {Missing}; the topic stops. Restore the store " +
                       "from a backup, or seek the subscriptions past the range.", _topic, PersistenceId, missing);
            Context.Stop(Self);
            return;
        }
        _state.Subscriptions.PumpAll(Now);
        _state.DeadLetters.ResendAfterRead(_state.Subscriptions);
        if (_waitingForRead.Count > 0)
        {
            foreach (var (command, sender) in _waitingForRead) Self.Tell(command, sender);
            _waitingForRead.Clear();
        }
        AfterPump();
        EnsureTicking();
    }

    private void OnReadFailed(JournalReader.ReadFailed failed)
    {
        if (failed.ReaderStopped && ReferenceEquals(_reader, Sender)) _reader = null;
        if (_state.Log.Reading is not { } chunk || chunk.FirstSequence != failed.Request.Id) return;
        _log.Warning(failed.Cause, "Topic {Topic}: reading messages {FirstSequence}..{LastSequence} back from the journal failed; trying again",
            _topic, chunk.FirstSequence, chunk.LastSequence);
        _state.Log.ReadFailed(chunk);
        EnsureTicking();   // the next tick tries again
    }

    /// <summary>Periodic: housekeeping of the parts, the limits, the memory share, and a snapshot once the topic is quiet.</summary>
    private void OnHousekeeping()
    {
        _state.Housekeeping(Now, DateTime.UtcNow);
        _state.TruncateToLimits(DateTime.UtcNow);
        _state.Log.Fit();
        if (!_wroteSinceHousekeeping && !_commit.IsWriting) MaybeSnapshot(quiet: true);
        _wroteSinceHousekeeping = false;
        Do(Then.Trim | Then.Gauges | Then.Write);
    }

    /// <summary>Does what a part asked for after a command, in <see cref="Then"/>'s order.</summary>
    private void Do(Then then)
    {
        if (then == Then.Nothing) return;
        if ((then & Then.Write) != 0) TryWrite();
        if ((then & Then.Trim) != 0) _state.Retention.Trim();
        if ((then & Then.Tick) != 0) EnsureTicking();
        if ((then & Then.Gauges) != 0) _state.Gauges.Publish();
        if ((then & Then.PassivateIfUnknown) != 0) PassivateIfUnknown();
        AfterPump();
    }

    /// <summary>Ticks only while something waits for the clock (<see cref="SubscriptionTable.TickInterval"/>).</summary>
    private void EnsureTicking()
    {
        // While the log wants chunks read back (a failed read is tried again on the clock) or commands wait for a read.
        var interval = _state.Subscriptions.TickInterval() ??
                       (_state.Log.HasWants || _waitingForRead.Count > 0 ? _settings.TickInterval : null);
        if (interval == _tickInterval) return;
        if (interval is { } every) Timers.StartPeriodicTimer(nameof(Tick), Tick.Instance, every);
        else Timers.Cancel(nameof(Tick));
        _tickInterval = interval;
    }
}
