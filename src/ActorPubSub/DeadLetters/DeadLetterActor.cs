using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using ActorPubSub.Journal;
using ActorPubSub.Memory;
using ActorPubSub.Topics;
using ActorPubSub.Messages;

namespace ActorPubSub.DeadLetters;

/// <summary>
/// The dead-letter store of one subscription: a Cluster.Sharding entity and persistent actor that keeps the
/// messages its topic gave up on until an operator redrives or purges them.
/// </summary>
/// <remarks>
/// <para><b>Intake.</b> The topic numbers the letters of a subscription incarnation 1, 2, 3, … and resends every
/// letter not yet confirmed, in order. The store takes each id once and only without a gap, then confirms the
/// highest id of its gap-free run (<see cref="DeadLettersStored"/>), so a letter the topic saw confirmed is in the
/// journal. Intake never waits for an operator command: it is answered during a redrive too.</para>
/// <para><b>Writes.</b> Every change is one <c>Persist</c> (letters are few, and each event carries a whole
/// batch from the topic), and the state changes only in its callback. Persist holds other messages until the write
/// is done, so what a command decided from the state still holds when its event is applied, and replay applies the
/// same events in the same order.</para>
/// <para><b>Redrive.</b> A letter leaves the store only after the topic confirmed its message is back in the
/// subscription (<see cref="MessagesRedriven"/>); a redrive that times out or is refused keeps the rest. Which
/// letters go and which leave is decided by <see cref="DeadLetterRedrive"/>.</para>
/// <para><b>Paging.</b> Memory holds an index of the letters (<see cref="DeadLetterStore"/>); their bodies stay in
/// the journal, in the <see cref="DeadLettersAdded"/> events that brought them, and snapshots hold the index. A page,
/// a letter or a redrive chunk is read back from the journal (<see cref="JournalReader"/>, one read at a time, its
/// letters counted against <see cref="NodeMemory"/> until the answer went). The journal is deleted only below the
/// oldest event that still holds a letter. A wanted letter missing from the journal stops the store with an error
/// naming the range: it never answers as if the letter were not there.</para>
/// <para><b>Phases.</b> <see cref="Idle"/> handles every command at once; <see cref="Reading"/> awaits a read-back
/// for a page or a letter, and <see cref="Redriving"/> the topic's answers (and its chunks' read-backs). Both take
/// intake and hold other operator commands in the stash, at most <see cref="MaxWaiting"/>; more are refused.</para>
/// </remarks>
internal sealed class DeadLetterActor : ReceivePersistentActor, IWithTimers
{
    /// <summary>The largest <see cref="ListDeadLetters.Limit"/> accepted.</summary>
    internal const int MaxListLimit = 1000;

    /// <summary>Most operator commands held while a read-back or a redrive runs; more are refused.</summary>
    internal const int MaxWaiting = 1000;

    private const string RedriveTimerKey = "redrive";
    // A read-back the journal has not answered by then fails (and its reader stops).
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The chunk numbered <see cref="Chunk"/> was not confirmed in time (to Self only).</summary>
    private sealed record RedriveTimeout(int Chunk);

    private readonly string _topic;
    private readonly string _subscription;
    private readonly DeadLetterSettings _settings;
    private readonly IActorRef _topicRegion;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly DeadLetterStore _store = new();

    private int _eventsSinceSnapshot;
    private bool _snapshotting;
    private bool _warned;
    // What to tell the requester when the journal rejects or fails the write in flight (null: nobody waits on it).
    private Action<Exception>? _onWriteFailed;
    // The redrive in progress (Redriving only).
    private DeadLetterRedrive? _redrive;
    // The read-back in progress, with what to do when it is complete or has failed (null: none runs).
    private DeadLetterReadBack? _read;
    private Action<ImmutableArray<DeadLetter>>? _onRead;
    private Action<string>? _onReadFailed;
    private IActorRef? _reader;
    private long _reads;
    // Operator commands in the stash.
    private int _waiting;
    // The journal was deleted up to here (by this incarnation of the actor).
    private long _deletedTo;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="topicRegion">Where redriven messages go (<see cref="RedriveMessages"/>): the topic shard region.</param>
    public static Props Props(string topic, string subscription, DeadLetterSettings settings, IActorRef topicRegion) =>
        Akka.Actor.Props.Create(() => new DeadLetterActor(topic, subscription, settings, topicRegion));

    public DeadLetterActor(string topic, string subscription, DeadLetterSettings settings, IActorRef topicRegion)
    {
        _topic = topic;
        _subscription = subscription;
        _settings = settings;
        _topicRegion = topicRegion;
        PersistenceId = DeadLetterEntityId.PersistenceId(topic, subscription);
        JournalPluginId = settings.JournalPluginId;
        SnapshotPluginId = settings.SnapshotPluginId;

        Recover<SnapshotOffer>(offer => _store.Restore((DeadLetterSnapshot)offer.Snapshot));
        Recover<DeadLettersAdded>(Apply);
        Recover<DeadLettersRemoved>(Apply);
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Idle();
    }

    public override string PersistenceId { get; }

    // ---------------------------------------------------------------- phases

    /// <summary>No redrive running: every command is handled at once.</summary>
    private void Idle()
    {
        Command<StoreDeadLetters>(HandleStore);
        Command<ListDeadLetters>(HandleList);
        Command<GetDeadLetter>(HandleGet);
        Command<PurgeDeadLetters>(HandlePurge);
        Command<RedriveDeadLetters>(StartRedrive);
        // Answers to a redrive that already gave up (timeout): the letters were kept, so nothing is lost by
        // ignoring them; removing letters on a late answer could remove a newer dead-lettering of the message.
        Command<MessagesRedriven>(m => _log.Debug("Dead letters {Topic}/{Subscription}: ignoring a late MessagesRedriven for {Count} message(s)",
            _topic, _subscription, m.Sequences.IsDefault ? 0 : m.Sequences.Length));
        Command<CommandRejected>(LogRefused);
        Command<RedriveTimeout>(_ => { });
        Command<DeadLetterStop>(_ => Context.Stop(Self));
        Command<ReceiveTimeout>(_ => Context.Parent.Tell(new Passivate(DeadLetterStop.Instance)));
        Housekeeping();
    }

    /// <summary>
    /// Letters are read back from the journal for a page or a letter: intake goes on, the other operator commands
    /// (and a stop) wait in the stash until the answer went.
    /// </summary>
    private void Reading()
    {
        Command<StoreDeadLetters>(HandleStore);
        ReadBack();
        Command<MessagesRedriven>(m => _log.Debug("Dead letters {Topic}/{Subscription}: ignoring a late MessagesRedriven for {Count} message(s)",
            _topic, _subscription, m.Sequences.IsDefault ? 0 : m.Sequences.Length));
        Command<CommandRejected>(LogRefused);
        Command<RedriveTimeout>(_ => { });
        Command<DeadLetterStop>(_ => Stash.Stash());
        Command<ReceiveTimeout>(_ => { });
        Housekeeping();
        Command<IDeadLetterCommand>(Wait);
    }

    /// <summary>
    /// A redrive runs: the topic's answers are awaited, intake from the topic goes on, and the other operator
    /// commands wait in the stash until the redrive is over (they would see or change letters half-way).
    /// </summary>
    private void Redriving()
    {
        Command<StoreDeadLetters>(HandleStore);
        ReadBack();
        Command<MessagesRedriven>(OnRedriven);
        Command<CommandRejected>(OnRedriveRejected);
        Command<RedriveTimeout>(OnRedriveTimeout);
        // The chunk in flight is awaited (at most redrive-timeout), the rest is left, then the store stops.
        Command<DeadLetterStop>(_ => _redrive!.RequestStop());
        Command<ReceiveTimeout>(_ => { });
        Housekeeping();
        Command<IDeadLetterCommand>(Wait);
    }

    /// <summary>The reader's answers, in the phases that read.</summary>
    private void ReadBack()
    {
        Command<JournalReader.Page>(OnPageRead);
        Command<JournalReader.ReadFailed>(OnReadFailed);
    }

    /// <summary>Holds an operator command until the read-back or redrive is over; refuses it when too many wait.</summary>
    private void Wait(IDeadLetterCommand command)
    {
        if (_waiting >= MaxWaiting)
        {
            var name = command.GetType().Name;
            Sender.Tell(Rejected(command, name, RejectionCode.StorageFailure,
                $"The dead-letter store of '{_topic}/{_subscription}' is busy (a journal read-back or redrive runs) and {MaxWaiting} commands " +
                $"already wait for it; {name} was not done. Retry later."));
            return;
        }
        _waiting++;
        Stash.Stash();
    }

    private void UnstashWaiting()
    {
        _waiting = 0;
        Stash.UnstashAll();
    }

    /// <summary>Snapshot and deletion results, handled in every phase.</summary>
    private void Housekeeping()
    {
        Command<SaveSnapshotSuccess>(OnSnapshotSaved);
        Command<SaveSnapshotFailure>(f =>
        {
            _snapshotting = false;
            _log.Warning(f.Cause, "Dead letters {Topic}/{Subscription}: snapshot at {SequenceNr} failed; the journal is kept and replayed instead",
                _topic, _subscription, f.Metadata.SequenceNr);
        });
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning(f.Cause, "Dead letters {Topic}/{Subscription}: deleting the journal up to {SequenceNr} failed",
            _topic, _subscription, f.ToSequenceNr));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning(f.Cause, "Dead letters {Topic}/{Subscription}: deleting old snapshots failed", _topic, _subscription));
    }

    // ---------------------------------------------------------------- recovery, events and writes

    private void OnRecovered()
    {
        Context.SetReceiveTimeout(_settings.IdleTimeout);
        WarnIfLarge();
        MaybeSnapshot();
        _log.Debug("Dead letters {Topic}/{Subscription} recovered: {Count} letters ({InMemory} of them with their body in memory, from an old snapshot)",
            _topic, _subscription, _store.Count, _store.InMemory);
    }

    // In a Persist callback and in replay, LastSequenceNr is the event's own journal position: the letters' bodies stay there.
    private void Apply(DeadLettersAdded e)
    {
        _store.Add(e, LastSequenceNr);
        _eventsSinceSnapshot++;
        if (!IsRecovering) WarnIfLarge();
    }

    private void Apply(DeadLettersRemoved e)
    {
        _store.Remove(e);
        _eventsSinceSnapshot++;
        if (_store.Count <= _settings.WarnAbove) _warned = false;
    }

    /// <summary>Persists one event; <paramref name="onPersisted"/> applies it (the state changes only there).</summary>
    private void Write<TEvent>(TEvent e, Action<TEvent> onPersisted, Action<Exception>? onFailed) where TEvent : IDeadLetterEvent
    {
        _onWriteFailed = onFailed;
        Persist(e, persisted =>
        {
            _onWriteFailed = null;
            onPersisted(persisted);
            MaybeSnapshot();
        });
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        // The actor keeps running and nothing of the event was applied.
        _log.Error(cause, "Dead letters {Topic}/{Subscription}: the journal rejected {Event} at {SequenceNr}",
            _topic, _subscription, @event.GetType().Name, sequenceNr);
        TakeWriteFailed()?.Invoke(cause);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // Answer whoever waits, then let the base class log and stop; the next message recovers the store.
        TakeWriteFailed()?.Invoke(cause);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    private Action<Exception>? TakeWriteFailed()
    {
        var onFailed = _onWriteFailed;
        _onWriteFailed = null;
        return onFailed;
    }

    private void WarnIfLarge()
    {
        if (_warned || _store.Count <= _settings.WarnAbove) return;
        _warned = true;
        _log.Warning("Dead letters {Topic}/{Subscription}: {Count} letters, more than warn-above ({WarnAbove}). Every letter is kept (its message in " +
                     "the journal, an index entry in memory and in each snapshot) until it is redriven or purged; find out why the subscription's handler fails.",
            _topic, _subscription, _store.Count, _settings.WarnAbove);
    }

    // ---------------------------------------------------------------- intake from the topic

    private void HandleStore(StoreDeadLetters store)
    {
        var sender = Sender;
        if (Refuse(store, nameof(StoreDeadLetters))) return;
        var incarnation = store.Incarnation;
        var taken = _store.Continuation(incarnation, store.Letters, out var gap);
        if (gap)
            _log.Debug("Dead letters {Topic}/{Subscription}: letters after id {Id} of incarnation {Incarnation} came after a gap; waiting for the resend",
                _topic, _subscription, _store.HighestId(incarnation) + taken.Length, incarnation);
        if (taken.IsEmpty) ConfirmIntake(sender, incarnation);
        // No reply on a failed write: the topic resends every letter it has not seen confirmed.
        else Write(new DeadLettersAdded(incarnation, taken), e =>
        {
            Apply(e);
            ConfirmIntake(sender, incarnation);
        }, onFailed: null);
    }

    private void ConfirmIntake(IActorRef topic, Guid incarnation)
    {
        topic.Tell(new DeadLettersStored(_topic, _subscription, incarnation, _store.HighestId(incarnation)));
        topic.Tell(new DeadLetterCount(_topic, _subscription, _store.Count));
    }

    // ---------------------------------------------------------------- operator commands

    private void HandleList(ListDeadLetters list)
    {
        if (Refuse(list, nameof(ListDeadLetters))) return;
        if (list.Limit is < 1 or > MaxListLimit)
        {
            Sender.Tell(Rejected(list, nameof(ListDeadLetters), RejectionCode.Invalid,
                $"Limit must be between 1 and {MaxListLimit}, was {list.Limit}; page through more with AfterSequence = NextAfter."));
            return;
        }
        var sender = Sender;
        var (entries, nextAfter) = _store.Page(list.AfterSequence, list.Limit, _settings.PageMaxBytes);
        ReadThenAnswer(entries,
            _settings.PageMaxBytes,
            letters => sender.Tell(new DeadLetterPage(_topic, _subscription, letters, _store.Count, nextAfter)),
            reason => sender.Tell(Rejected(list, nameof(ListDeadLetters), RejectionCode.StorageFailure, reason)));
    }

    private void HandleGet(GetDeadLetter get)
    {
        var sender = Sender;
        if (Refuse(get, nameof(GetDeadLetter))) return;
        if (!_store.TryGet(get.Sequence, out var entry))
        {
            sender.Tell(new DeadLetterFound(_topic, _subscription, get.Sequence, null));
            return;
        }
        ReadThenAnswer([entry], _settings.PageMaxBytes,
            letters => sender.Tell(new DeadLetterFound(_topic, _subscription, get.Sequence, letters[0])),
            reason => sender.Tell(Rejected(get, nameof(GetDeadLetter), RejectionCode.StorageFailure, reason)));
    }

    /// <summary>Reads the letters back (in phase <see cref="Reading"/> unless their bodies are in memory), then answers.</summary>
    private void ReadThenAnswer(ImmutableArray<DeadLetterIndexEntry> entries, long maxBytes, Action<ImmutableArray<DeadLetter>> answer,
        Action<string> fail)
    {
        var done = false;
        ReadBodies(entries, maxBytes,
            letters => { done = true; answer(letters); BackToIdle(); },
            reason => { done = true; fail(reason); BackToIdle(); });
        if (!done) Become(Reading);

        void BackToIdle()
        {
            if (!done || _read is not null) return;
            Become(Idle);
            UnstashWaiting();
        }
    }

    private void HandlePurge(PurgeDeadLetters purge)
    {
        var sender = Sender;
        if (Refuse(purge, nameof(PurgeDeadLetters))) return;
        var (found, notFound) = _store.Resolve(purge.Sequences);
        if (found.Length == 0)
        {
            sender.Tell(new DeadLettersPurged(_topic, _subscription, 0, notFound));
            return;
        }
        Write(new DeadLettersRemoved(ImmutableArray.Create(found), DeadLetterRemoval.Purged), e =>
        {
            Apply(e);
            sender.Tell(new DeadLettersPurged(_topic, _subscription, found.Length, notFound));
            // The topic reports the depth; it hears of intake and redrives by itself, of a purge only from here.
            _topicRegion.Tell(new DeadLetterCount(_topic, _subscription, _store.Count));
        }, cause => sender.Tell(Rejected(purge, nameof(PurgeDeadLetters), RejectionCode.StorageFailure,
            $"The journal did not record the purge ({cause.Message}); nothing was purged.")));
    }

    // ---------------------------------------------------------------- redrive

    private void StartRedrive(RedriveDeadLetters request)
    {
        if (Refuse(request, nameof(RedriveDeadLetters))) return;
        var (found, notFound) = _store.Resolve(request.Sequences);
        // With nothing found the first chunk is empty, and the redrive answers at once with what was not found.
        _redrive = new DeadLetterRedrive(_topic, _subscription, Sender, found, notFound, _settings.RedriveBatch, _settings.RedriveBatchBytes);
        Become(Redriving);
        SendNextChunk();
    }

    /// <summary>Sends the next chunk, or finishes when every letter was confirmed.</summary>
    private void SendNextChunk()
    {
        var r = _redrive!;
        var chunk = r.NextChunk(_store);
        if (chunk.IsEmpty)
        {
            FinishRedrive(r.Done());
            return;
        }
        ReadBodies(chunk, _settings.RedriveBatchBytes, letters =>
        {
            _topicRegion.Tell(new RedriveMessages(_topic, _subscription, [.. letters.Select(l => l.Message)]), Self);
            Timers.StartSingleTimer(RedriveTimerKey, new RedriveTimeout(r.Chunk), _settings.RedriveTimeout);
        }, reason => FinishRedrive(r.ReadFailed(reason)));
    }

    private void OnRedriven(MessagesRedriven confirmed)
    {
        var r = _redrive!;
        // While the chunk is read back it was not sent yet: nothing can answer it.
        if (_read is not null || !IsOurs(confirmed.Topic, confirmed.Subscription) || !r.Answers(confirmed.Sequences))
        {
            _log.Debug("Dead letters {Topic}/{Subscription}: ignoring a MessagesRedriven that does not answer the chunk in flight", _topic, _subscription);
            return;
        }
        Timers.Cancel(RedriveTimerKey);
        var sent = r.InFlight;
        var leave = r.Confirm(_store);
        if (leave.IsEmpty) ContinueRedrive();
        else Write(new DeadLettersRemoved(leave, DeadLetterRemoval.Redriven), e =>
        {
            Apply(e);
            // The topic lowered its count when it took the messages back; a count this store sent it earlier (an
            // intake answer, by another path) may still arrive after that and raise it again: the new count settles it.
            _topicRegion.Tell(new DeadLetterCount(_topic, _subscription, _store.Count));
            ContinueRedrive();
        }, cause => FinishRedrive(r.RemovalNotRecorded(sent, cause)));
    }

    private void ContinueRedrive()
    {
        var r = _redrive!;
        if (r.StoppedEarly) FinishRedrive(r.Stopped());
        else SendNextChunk();
    }

    private void OnRedriveRejected(CommandRejected rejection)
    {
        var r = _redrive!;
        // The topic may also refuse a DeadLettersStored we sent it; only a refused RedriveMessages ends the redrive.
        if (_read is not null || !IsOurs(rejection.Topic, rejection.Subscription) || rejection.Command != nameof(RedriveMessages) || r.InFlight == 0)
        {
            LogRefused(rejection);
            return;
        }
        FinishRedrive(r.Refused(rejection));
    }

    private void OnRedriveTimeout(RedriveTimeout timeout)
    {
        var r = _redrive!;
        if (r.IsInFlight(timeout.Chunk)) FinishRedrive(r.TimedOut(_settings.RedriveTimeout));
    }

    private void FinishRedrive(object reply)
    {
        var r = _redrive!;
        _redrive = null;
        Timers.Cancel(RedriveTimerKey);
        if (reply is CommandRejected rejected)
            _log.Warning("Dead letters {Topic}/{Subscription}: redrive ended early: {Reason}", _topic, _subscription, rejected.Reason);
        r.ReplyTo.Tell(reply);
        Become(Idle);
        UnstashWaiting();
        // The stashed commands are answered first (UnstashAll puts them at the front of the mailbox), then it stops.
        if (r.StopRequested) Self.Tell(DeadLetterStop.Instance);
    }

    // ---------------------------------------------------------------- read-back

    /// <summary>
    /// Gets the letters of <paramref name="entries"/> with their bodies: at once when every body is in memory,
    /// otherwise read back from the journal, one range at a time; then <paramref name="onRead"/> (or
    /// <paramref name="onFailed"/> with the reason). One read-back at a time: the phases that call this hold
    /// other commands meanwhile.
    /// </summary>
    private void ReadBodies(ImmutableArray<DeadLetterIndexEntry> entries, long maxBytes, Action<ImmutableArray<DeadLetter>> onRead,
        Action<string> onFailed)
    {
        if (_read is not null) throw new InvalidOperationException("A dead-letter read-back is already running.");
        var read = new DeadLetterReadBack(++_reads, PersistenceId, entries, _store, maxBytes);
        if (read.Done)
        {
            onRead(read.Letters());
            return;
        }
        (_read, _onRead, _onReadFailed) = (read, onRead, onFailed);
        RequestNextRange();
    }

    private void RequestNextRange()
    {
        var read = _read!;
        var memory = NodeMemory.For(Context.System);
        // The reader buffers the events of a range until it answers: counted from the ask to the answer.
        memory.Add(-read.InFlightBytes);
        var next = read.Next();
        memory.Add(read.InFlightBytes);
        if (next is null)
        {
            var onRead = _onRead!;
            var letters = read.Letters();
            EndRead();
            onRead(letters);
            return;
        }
        _reader ??= Context.ActorOf(JournalReader.Props(PersistenceId, JournalPluginId, ReadTimeout));
        _reader.Tell(next);
    }

    private void OnPageRead(JournalReader.Page page)
    {
        if (_read is not { } read || !read.IsCurrent(page.Request)) return;  // a late answer to a read that failed
        NodeMemory.For(Context.System).Add(read.Take(page, out var missing));
        if (missing is null)
        {
            RequestNextRange();
            return;
        }
        // Never answer as if the letters were not there: the index and the journal disagree, and an operator must see it.
        _log.Error("Dead letters {Topic}/{Subscription}: {Missing}. The store stops.", _topic, _subscription, missing);
        var onFailed = _onReadFailed!;
        EndRead();
        onFailed($"{missing}; the dead-letter store of '{_topic}/{_subscription}' stopped.");
        Context.Stop(Self);
    }

    private void OnReadFailed(JournalReader.ReadFailed failed)
    {
        // A reader that stopped (it timed out) is replaced at the next read.
        if (failed.ReaderStopped && Equals(Sender, _reader)) _reader = null;
        if (_read is not { } read || !read.IsCurrent(failed.Request)) return;
        _log.Warning(failed.Cause, "Dead letters {Topic}/{Subscription}: reading events {From}..{To} back from the journal failed",
            _topic, _subscription, failed.Request.FromSequenceNr, failed.Request.ToSequenceNr);
        var onFailed = _onReadFailed!;
        EndRead();
        onFailed($"Reading dead letters back from the journal of '{PersistenceId}' (events {failed.Request.FromSequenceNr}..{failed.Request.ToSequenceNr}) " +
                 $"failed ({failed.Cause.Message}); nothing was done.");
    }

    // Ends the read-back in progress: what it held no longer counts against the node's memory.
    private void EndRead()
    {
        if (_read is { } read) NodeMemory.For(Context.System).Add(-read.Bytes - read.InFlightBytes);
        (_read, _onRead, _onReadFailed) = (null, null, null);
    }

    protected override void PostStop()
    {
        EndRead();
        base.PostStop();
    }

    // ---------------------------------------------------------------- helpers

    private void LogRefused(CommandRejected r) =>
        _log.Debug("Dead letters {Topic}/{Subscription}: the topic refused {Command} ({Code}): {Reason}",
            _topic, _subscription, r.Command, r.Code, r.Reason);

    private bool IsOurs(string topic, string? subscription) =>
        string.Equals(topic, _topic, StringComparison.Ordinal) && string.Equals(subscription, _subscription, StringComparison.Ordinal);

    /// <summary>Answers a command meant for another store with a rejection; true when it did.</summary>
    private bool Refuse(IDeadLetterCommand command, string name)
    {
        if (IsOurs(command.Topic, command.Subscription)) return false;
        Sender.Tell(Rejected(command, name, RejectionCode.Invalid,
            $"{name} for '{command.Topic}/{command.Subscription}' reached the dead-letter store of '{_topic}/{_subscription}'."));
        return true;
    }

    private static CommandRejected Rejected(IDeadLetterCommand command, string name, RejectionCode code, string reason) =>
        new(command.Topic, command.Subscription, name, code, reason);

    // ---------------------------------------------------------------- snapshots

    private void MaybeSnapshot()
    {
        if (_snapshotting || _eventsSinceSnapshot < _settings.SnapshotEvery) return;
        _snapshotting = true;
        _eventsSinceSnapshot = 0;
        _log.Debug("Dead letters {Topic}/{Subscription}: snapshot at journal position {SequenceNr} ({Count} letters)",
            _topic, _subscription, LastSequenceNr, _store.Count);
        SaveSnapshot(_store.ToSnapshot());
    }

    private void OnSnapshotSaved(SaveSnapshotSuccess success)
    {
        _snapshotting = false;
        var upTo = success.Metadata.SequenceNr;
        // The snapshot holds the index, not the bodies: events that still hold a letter (or that a read-back in
        // progress needs) stay, and the journal below the oldest of them goes.
        var keepFrom = Math.Min(_store.OldestHoldingEvent ?? long.MaxValue, _read?.LowestJournalSeqNr ?? long.MaxValue);
        var deleteTo = Math.Min(upTo, keepFrom - 1);
        if (deleteTo > _deletedTo)
        {
            _deletedTo = deleteTo;
            DeleteMessages(deleteTo);
        }
        DeleteSnapshots(new SnapshotSelectionCriteria(upTo - 1));
        // Events written while it was saved may already call for the next one.
        MaybeSnapshot();
    }
}
