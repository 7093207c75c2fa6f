using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using ActorPubSub.Topics;
using ActorPubSub.Messages;
using DeadLetter = ActorPubSub.Messages.DeadLetter;

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
/// subscription (<see cref="MessagesRedriven"/>); a redrive that times out or is refused keeps the rest.</para>
/// </remarks>
internal sealed partial class DeadLetterActor : ReceivePersistentActor, IWithTimers
{
    /// <summary>The largest <see cref="ListDeadLetters.Limit"/> accepted.</summary>
    internal const int MaxListLimit = 1000;

    // Bytes counted per letter beyond its message (ids, attempts, timestamps, framing) when sizing pages.
    private const int LetterOverhead = 64;

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

    // ---------------------------------------------------------------- states

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
        Command<MessagesRedriven>(m => _log.Debug("Dead letters {0}/{1}: ignoring a late MessagesRedriven for {2} message(s)",
            _topic, _subscription, m.Sequences.IsDefault ? 0 : m.Sequences.Length));
        Command<CommandRejected>(r => _log.Debug("Dead letters {0}/{1}: the topic refused {2} ({3}): {4}",
            _topic, _subscription, r.Command, r.Code, r.Reason));
        Command<RedriveTimeout>(_ => { });
        Command<DeadLetterStop>(_ => Context.Stop(Self));
        Command<ReceiveTimeout>(_ => Context.Parent.Tell(new Passivate(DeadLetterStop.Instance)));
        Housekeeping();
    }

    /// <summary>Snapshot and deletion results, handled in every state.</summary>
    private void Housekeeping()
    {
        Command<SaveSnapshotSuccess>(OnSnapshotSaved);
        Command<SaveSnapshotFailure>(f =>
        {
            _snapshotting = false;
            _log.Warning(f.Cause, "Dead letters {0}/{1}: snapshot at {2} failed; the journal is kept and replayed instead",
                _topic, _subscription, f.Metadata.SequenceNr);
        });
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning(f.Cause, "Dead letters {0}/{1}: deleting the journal up to {2} failed",
            _topic, _subscription, f.ToSequenceNr));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning(f.Cause, "Dead letters {0}/{1}: deleting old snapshots failed", _topic, _subscription));
    }

    // ---------------------------------------------------------------- recovery and events

    private void OnRecovered()
    {
        Context.SetReceiveTimeout(_settings.IdleTimeout);
        WarnIfLarge();
        MaybeSnapshot();
        _log.Debug("Dead letters {0}/{1} recovered: {2} letters", _topic, _subscription, _store.Count);
    }

    private void Apply(DeadLettersAdded e)
    {
        _store.Add(e);
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
        _log.Error(cause, "Dead letters {0}/{1}: the journal rejected {2} at {3}", _topic, _subscription, @event.GetType().Name, sequenceNr);
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
        _log.Warning("Dead letters {0}/{1}: {2} letters, more than warn-above ({3}). Every letter is kept (in memory and in " +
                     "each snapshot) until it is redriven or purged; find out why the subscription's handler fails.",
            _topic, _subscription, _store.Count, _settings.WarnAbove);
    }

    // ---------------------------------------------------------------- intake from the topic

    private void HandleStore(StoreDeadLetters store)
    {
        var sender = Sender;
        if (Validate(store, nameof(StoreDeadLetters)) is { } rejected)
        {
            sender.Tell(rejected);
            return;
        }
        var incarnation = store.Incarnation;
        var taken = _store.Continuation(incarnation, store.Letters, out var gap);
        if (gap)
            _log.Debug("Dead letters {0}/{1}: letters after id {2} of incarnation {3} came after a gap; waiting for the resend",
                _topic, _subscription, _store.HighestId(incarnation) + taken.Length, incarnation);
        if (taken.IsEmpty)
        {
            sender.Tell(new DeadLettersStored(_topic, _subscription, incarnation, _store.HighestId(incarnation)));
            sender.Tell(new DeadLetterCount(_topic, _subscription, _store.Count));
            return;
        }
        // No reply on a failed write: the topic resends every letter it has not seen confirmed.
        Write(new DeadLettersAdded(incarnation, taken), e =>
        {
            Apply(e);
            sender.Tell(new DeadLettersStored(_topic, _subscription, incarnation, _store.HighestId(incarnation)));
            sender.Tell(new DeadLetterCount(_topic, _subscription, _store.Count));
        }, onFailed: null);
    }

    // ---------------------------------------------------------------- operator commands

    private void HandleList(ListDeadLetters list)
    {
        if (Validate(list, nameof(ListDeadLetters)) is { } rejected)
        {
            Sender.Tell(rejected);
            return;
        }
        if (list.Limit is < 1 or > MaxListLimit)
        {
            Sender.Tell(Rejected(list, nameof(ListDeadLetters), RejectionCode.Invalid,
                $"Limit must be between 1 and {MaxListLimit}, was {list.Limit}; page through more with AfterSequence = NextAfter."));
            return;
        }
        // A page also stops at page-max-bytes (at least one letter), so it fits a remote frame however large
        // the messages are; NextAfter then continues where it stopped.
        var page = ImmutableArray.CreateBuilder<DeadLetter>(Math.Min(list.Limit, _store.Count));
        long bytes = 0;
        long? nextAfter = null;
        foreach (var letter in _store.After(list.AfterSequence))
        {
            var size = SizeOf(letter);
            if (page.Count == list.Limit || (page.Count > 0 && bytes + size > _settings.PageMaxBytes))
            {
                nextAfter = page[^1].Message.Sequence;
                break;
            }
            page.Add(letter);
            bytes += size;
        }
        Sender.Tell(new DeadLetterPage(_topic, _subscription, page.DrainToImmutable(), _store.Count, nextAfter));
    }

    private void HandleGet(GetDeadLetter get)
    {
        if (Validate(get, nameof(GetDeadLetter)) is { } rejected)
        {
            Sender.Tell(rejected);
            return;
        }
        Sender.Tell(new DeadLetterFound(_topic, _subscription, get.Sequence, _store.TryGet(get.Sequence, out var letter) ? letter : null));
    }

    private void HandlePurge(PurgeDeadLetters purge)
    {
        var sender = Sender;
        if (Validate(purge, nameof(PurgeDeadLetters)) is { } rejected)
        {
            sender.Tell(rejected);
            return;
        }
        var (found, notFound) = Resolve(purge.Sequences);
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

    /// <summary>
    /// The requested sequences that have a letter (ascending) and those that have none (in request order);
    /// every letter when <paramref name="sequences"/> is empty.
    /// </summary>
    private (long[] Found, ImmutableArray<long> NotFound) Resolve(ImmutableArray<long> sequences)
    {
        if (sequences.IsDefaultOrEmpty) return (_store.Sequences.ToArray(), []);
        var found = new List<long>();
        var notFound = ImmutableArray.CreateBuilder<long>();
        var seen = new HashSet<long>();
        foreach (var sequence in sequences)
        {
            if (!seen.Add(sequence)) continue;
            if (_store.Contains(sequence)) found.Add(sequence);
            else notFound.Add(sequence);
        }
        found.Sort();
        return (found.ToArray(), notFound.ToImmutable());
    }

    // ---------------------------------------------------------------- helpers

    private CommandRejected? Validate(IDeadLetterCommand command, string name)
    {
        if (string.Equals(command.Topic, _topic, StringComparison.Ordinal) &&
            string.Equals(command.Subscription, _subscription, StringComparison.Ordinal))
            return null;
        return Rejected(command, name, RejectionCode.Invalid,
            $"{name} for '{command.Topic}/{command.Subscription}' reached the dead-letter store of '{_topic}/{_subscription}'.");
    }

    private static CommandRejected Rejected(IDeadLetterCommand command, string name, RejectionCode code, string reason) =>
        new(command.Topic, command.Subscription, name, code, reason);

    private static long SizeOf(DeadLetter letter) => letter.Message.Size + letter.LastError.Length + LetterOverhead;

    // ---------------------------------------------------------------- snapshots and stopping

    private void MaybeSnapshot()
    {
        if (_snapshotting || _eventsSinceSnapshot < _settings.SnapshotEvery) return;
        _snapshotting = true;
        _eventsSinceSnapshot = 0;
        _log.Debug("Dead letters {0}/{1}: snapshot at journal position {2} ({3} letters)", _topic, _subscription, LastSequenceNr, _store.Count);
        SaveSnapshot(_store.ToSnapshot());
    }

    private void OnSnapshotSaved(SaveSnapshotSuccess success)
    {
        _snapshotting = false;
        var upTo = success.Metadata.SequenceNr;
        DeleteMessages(upTo);
        DeleteSnapshots(new SnapshotSelectionCriteria(upTo - 1));
        // Events written while it was saved may already call for the next one.
        MaybeSnapshot();
    }
}
