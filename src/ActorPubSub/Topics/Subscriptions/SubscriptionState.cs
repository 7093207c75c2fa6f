using Akka.Actor;
using ActorPubSub.Observability;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Log;

namespace ActorPubSub.Topics.Subscriptions;

/// <summary>
/// One durable subscription inside its topic: what it acknowledged (<see cref="AckedSet"/>), what is in flight
/// at which consumer until which deadline (<see cref="DeliveryTracker"/>), what waits for redelivery and how
/// often it failed, what is on its way to the dead-letter store (<see cref="TransferQueue"/>), redriven copies,
/// and (when ordered by key) which messages wait behind an earlier one of their key (<see cref="KeyQueues"/>).
/// Owned by the TopicActor; times are monotonic milliseconds unless named UTC.
/// </summary>
/// <remarks>
/// Every method that changes acknowledged or failure state is also what replaying its journal event calls,
/// so a recovered subscription is the one that was written.
/// </remarks>
internal sealed class SubscriptionState
{
    /// <summary>What a failed delivery turned into.</summary>
    public enum FailOutcome { Stale, Retry, DeadLettered }

    private readonly MessageLog _log;
    private readonly Func<IReadOnlyDictionary<string, string>?, bool>? _filter;
    private readonly AckedSet _acked;
    private readonly DeliveryTracker _deliveries = new();
    private readonly SortedSet<long> _ready = [];
    private readonly List<ConsumerState> _consumers = [];
    private readonly List<long> _unflushedAcks = [];
    private readonly Dictionary<long, DeliveryFailure> _failures = [];
    private readonly TransferQueue _transfers = new();
    private readonly Dictionary<long, TopicMessage> _redriven = [];   // redriven copies of acknowledged messages
    private readonly KeyQueues _keys = new();
    private int _roundRobin;
    private bool _deliveriesAhead;   // deliveries may exist at or above the cursor (restored retries, a seek back)

    /// <param name="filter">Header filter: messages it refuses count as acknowledged. Null: every message.</param>
    /// <param name="metrics">Its instruments; null: untagged ones that no gauge reports (tests of the state alone).</param>
    public SubscriptionState(string name, long watermark, SubscriptionConfig config, MessageLog log,
        Func<IReadOnlyDictionary<string, string>?, bool>? filter = null, SubscriptionMetrics? metrics = null)
    {
        Name = name;
        Metrics = metrics ?? new SubscriptionMetrics("", name);
        _acked = new AckedSet(watermark);
        Config = config;
        Cursor = watermark + 1;
        _log = log;
        _filter = filter;
    }

    public string Name { get; }
    public SubscriptionConfig Config { get; }
    public SubscriptionMetrics Metrics { get; }
    /// <summary>
    /// Letters in the subscription's dead-letter store as the store last reported them (not persisted here);
    /// null until it reported since the topic started.
    /// </summary>
    public int? StoredDeadLetters { get; set; }
    public TimeSpan AckDeadline => Config.AckDeadline;
    /// <summary>Every sequence up to here is acknowledged.</summary>
    public long Watermark => _acked.Watermark;
    /// <summary>The next sequence never delivered by this incarnation of the topic.</summary>
    public long Cursor { get; private set; }
    public IReadOnlyCollection<long> AckedAbove => _acked.Above;
    public IReadOnlyList<ConsumerState> Consumers => _consumers;
    public int InFlight => _deliveries.InFlight;
    public int UnflushedAckCount => _unflushedAcks.Count;
    /// <summary>Where the next transient batch starts looking for a consumer (round robin).</summary>
    public int TransientCursor { get; set; }
    /// <summary>
    /// Transient messages waiting for room in a consumer's transient window, oldest first (at most transient-window;
    /// not persisted: a restart of the topic loses them, as it loses every transient message).
    /// </summary>
    public Queue<TopicMessage> TransientPending { get; } = new();
    /// <summary>Transient messages dropped for this subscription since the topic started (its consumers fell behind).</summary>
    public long TransientDropped { get; set; }
    /// <summary>True while nacked deliveries wait for their delay (possibly stale entries: acked meanwhile).</summary>
    public bool HasDelayedRedeliveries => _deliveries.HasDelayed;
    /// <summary>The last dead-letter transfer number handed out.</summary>
    public long LastTransferId => _transfers.LastId;
    /// <summary>Transfers up to this number are in the journal (only those are sent to the store).</summary>
    public long PersistedTransferId => _transfers.PersistedId;
    public IReadOnlyList<DeadLetterTransfer> Transfers => _transfers.Pending;
    public IEnumerable<DeliveryFailure> Failures => _failures.Values;
    public IEnumerable<TopicMessage> Redriven => _redriven.Values;

    public long Pending(long lastSequence) => Math.Max(0, lastSequence - Watermark - _acked.Above.Count) + _redriven.Count;

    public bool IsAcked(long sequence) => _acked.Contains(sequence);

    /// <summary>
    /// When the oldest message not yet acknowledged was published (UTC), or null when every message is: the one
    /// after the watermark (never acknowledged, or the watermark would have moved past it), or an older redriven
    /// copy. O(1) but for redriven copies, which are few.
    /// </summary>
    public DateTime? OldestUnacked(long lastSequence)
    {
        DateTime? oldest = Watermark < lastSequence ? _log.TimestampOf(Watermark + 1) : null;
        if (_redriven.Count > 0)
            foreach (var copy in _redriven.Values)
                if (oldest is null || copy.Timestamp < oldest) oldest = copy.Timestamp;
        return oldest;
    }

    // ---------------------------------------------------------------- acknowledgements

    /// <summary>Applies an ack from a consumer. Returns true when it acknowledged something new.</summary>
    public bool Ack(long sequence)
    {
        // Dead-lettered meanwhile (e.g. a handler that finished after its deadline): the store has it now, and
        // a message is never both dead-lettered and pending.
        if (_transfers.Contains(sequence)) return false;
        if (!Complete(sequence)) return false;
        _unflushedAcks.Add(sequence);
        return true;
    }

    /// <summary>Replays an ack (journal, snapshot); nothing is queued for the journal.</summary>
    public void RestoreAck(long sequence) => Complete(sequence);

    /// <summary>
    /// A message just written (or replayed) that the filter refuses, when it is next after the watermark: acknowledged
    /// at once without a journal entry, so a subscription that keeps up never shows refused messages as pending. Further
    /// out it waits for the cursor (<see cref="NextFor"/>), so refused messages of a backlog cost no memory.
    /// </summary>
    public void FilterNext(TopicMessage message)
    {
        if (_filter is not null && Watermark == message.Sequence - 1 && !_filter(message.Headers)) _acked.Add(message.Sequence);
    }

    /// <summary>Takes the acks not yet written to the journal.</summary>
    public long[] TakeUnflushedAcks()
    {
        var acks = _unflushedAcks.ToArray();
        _unflushedAcks.Clear();
        return acks;
    }

    /// <summary>
    /// Done with <paramref name="sequence"/>: acknowledges it, or, when it already is (a redriven copy),
    /// drops the copy. Clears its delivery and failure state and lets the next message of its key go.
    /// </summary>
    private bool Complete(long sequence)
    {
        var key = KeyOf(sequence);
        if (!_acked.Add(sequence) && !_redriven.Remove(sequence)) return false;
        _deliveries.Drop(sequence);
        if (_ready.Count > 0) _ready.Remove(sequence);
        if (_failures.Count > 0) _failures.Remove(sequence);
        ReleaseKey(sequence, key);
        return true;
    }

    // ---------------------------------------------------------------- failures and dead letters

    /// <summary>
    /// A delivery failed (nack, handler timeout reported by the consumer, or its ack deadline passed): record the
    /// failure and schedule the retry, or dead-letter the message when it used up its attempts or is
    /// unprocessable. Failures and transfers go to <paramref name="events"/> for the journal.
    /// </summary>
    public FailOutcome Fail(long sequence, string error, TimeSpan? delay, bool unprocessable, long now, DateTime utcNow,
        Action<ITopicEvent> events)
    {
        if (!_deliveries.IsInFlight(sequence)) return FailOutcome.Stale;
        if (IsAcked(sequence) && !_redriven.ContainsKey(sequence))
        {
            // Acknowledged meanwhile (a seek forward passed it): its outcome no longer matters.
            _deliveries.Drop(sequence);
            return FailOutcome.Stale;
        }
        var attempts = _deliveries.Release(sequence);
        var first = _failures.TryGetValue(sequence, out var previous) ? previous.FirstFailure : utcNow;
        if (unprocessable || attempts >= Config.MaxDeliveryAttempts)
        {
            var reason = unprocessable ? DeadLetterReason.Unprocessable : DeadLetterReason.MaxDeliveryAttempts;
            var transfer = new DeadLetterTransfer(LastTransferId + 1, sequence, attempts, first, utcNow, error, reason);
            ApplyDeadLettered(transfer);
            events(new MessagesDeadLettered(Name, [transfer]));
            return FailOutcome.DeadLettered;
        }
        var wait = delay ?? Config.Backoff.DelayAfter(attempts);
        if (wait < TimeSpan.Zero) wait = TimeSpan.Zero;
        var failure = new DeliveryFailure(Name, sequence, attempts, first, utcNow, utcNow + wait, error);
        _failures[sequence] = failure;
        events(new DeliveriesFailed([failure]));
        var waitMs = (long)wait.TotalMilliseconds;
        if (waitMs <= 0)
        {
            _deliveries.RetryNow(sequence);
            _ready.Add(sequence);
        }
        else _deliveries.RetryAt(sequence, now + waitMs);
        return FailOutcome.Retry;
    }

    /// <summary>Replays a failure: the attempt count carries on and the retry waits until its time.</summary>
    public void RestoreFailure(DeliveryFailure failure, long now, DateTime utcNow)
    {
        if (IsAcked(failure.Sequence) && !_redriven.ContainsKey(failure.Sequence)) return;
        _failures[failure.Sequence] = failure;
        _deliveriesAhead = true;
        _deliveries.RestoreRetry(failure.Sequence, failure.Attempts,
            now + (long)Math.Max(0, (failure.RetryAt - utcNow).TotalMilliseconds));
    }

    /// <summary>
    /// The message leaves delivery for the dead-letter store: not delivered again, not acknowledged until the
    /// store confirms. Replays skip transfers already applied (a snapshot may include them).
    /// </summary>
    public void ApplyDeadLettered(DeadLetterTransfer transfer)
    {
        var sequence = transfer.Sequence;
        var key = KeyOf(sequence);
        if (!_transfers.TryAdd(transfer)) return;
        _deliveries.Drop(sequence);
        _ready.Remove(sequence);
        _failures.Remove(sequence);
        ReleaseKey(sequence, key);
    }

    public void MarkTransfersPersisted(long upToId) => _transfers.MarkPersisted(upToId);

    /// <summary>Restores the transfer numbering from a snapshot (every transfer in it is in the journal).</summary>
    public void RestoreTransferIds(long lastTransferId) => _transfers.RestoreIds(lastTransferId);

    /// <summary>The store holds every transfer up to <paramref name="upToId"/>: those messages are done here.</summary>
    public bool ConfirmTransfers(long upToId)
    {
        var confirmed = _transfers.Confirm(upToId);
        foreach (var sequence in confirmed) Complete(sequence);
        return confirmed.Count > 0;
    }

    /// <summary>
    /// Puts redriven messages back, attempts reset: a message still pending here (also one whose transfer the
    /// store has not confirmed yet) is made ready again; an acknowledged one gets a redriven copy. Idempotent.
    /// Redriven messages are delivered outside key order: their successors may be done already.
    /// </summary>
    public void Redrive(IEnumerable<TopicMessage> messages)
    {
        foreach (var m in messages)
        {
            var sequence = m.Sequence;
            if (!_transfers.Remove(sequence) && IsAcked(sequence) && !_redriven.ContainsKey(sequence))
                _redriven[sequence] = m;
            _failures.Remove(sequence);
            if (_deliveries.ResetForRedrive(sequence)) continue;   // in flight: its outcome decides
            _ready.Add(sequence);
        }
    }

    /// <summary>Messages the filter acknowledged as the cursor passed them (the topic trims after a pump that did).</summary>
    public long Filtered { get; private set; }

    /// <summary>Messages the topic's limits dropped before this subscription acknowledged them.</summary>
    public long Dropped { get; private set; }

    /// <summary>Restores the count of dropped messages (snapshot).</summary>
    public void RestoreDropped(long dropped) => Dropped = dropped;

    /// <summary>
    /// The log dropped every message below <paramref name="first"/> (<see cref="LogTruncated"/>): those this
    /// subscription had not acknowledged are lost to it; it counts them and carries on from there. Returns how many.
    /// Idempotent (a replay after a snapshot that had it).
    /// </summary>
    public long DropBelow(long first)
    {
        if (Watermark >= first - 1) return 0;
        var acked = 0;
        foreach (var s in _acked.Above)
            if (s < first) acked++;
        var lost = first - 1 - Watermark - acked;
        foreach (var s in _redriven.Keys.Where(s => s < first).ToArray()) _redriven.Remove(s);
        _acked.MoveTo(first);
        _deliveries.DropBelow(first, _ => false);
        if (Cursor < first) Cursor = first;
        _ready.RemoveWhere(s => s < first);
        foreach (var s in _failures.Keys.Where(s => s < first).ToArray()) _failures.Remove(s);
        foreach (var (sequence, key) in _keys.Below(first)) ReleaseKey(sequence, key);
        Dropped += lost;
        return lost;
    }

    /// <summary>
    /// Moves the cursor: everything before <paramref name="sequence"/> counts as acknowledged, everything from it
    /// on is delivered again. Deliveries in flight finish as they are; waiting retries and attempt counts are
    /// dropped (a replay starts afresh). The caller filters the retained messages again afterwards.
    /// </summary>
    public void MoveCursor(long sequence)
    {
        // Forward: deliveries below the cursor now count as acknowledged: free their consumers' windows.
        if (_acked.MoveTo(sequence)) _deliveries.DropBelow(sequence, _redriven.ContainsKey);
        Cursor = sequence;
        _deliveriesAhead = _deliveries.Count > 0;
        _ready.Clear();
        _failures.Clear();
        _keys.Clear();
        _deliveries.DropWaiting();
        foreach (var s in _redriven.Keys) _ready.Add(s);
    }

    // ---------------------------------------------------------------- consumers

    public ConsumerState? FindConsumer(IActorRef actor) => _consumers.Find(c => c.Actor.Equals(actor));

    public ConsumerState AddConsumer(IActorRef actor, int maxInFlight, long now)
    {
        var c = new ConsumerState(actor, maxInFlight, now);
        _consumers.Add(c);
        return c;
    }

    /// <summary>Removes a consumer; its in-flight deliveries become ready for the others at once.</summary>
    public bool RemoveConsumer(IActorRef actor)
    {
        var c = FindConsumer(actor);
        if (c is null) return false;
        _consumers.Remove(c);
        if (c.InFlight > 0)
            foreach (var seq in _deliveries.ReleaseAllOf(c)) _ready.Add(seq);
        return true;
    }

    /// <summary>Removes consumers not heard from since <paramref name="silentSince"/>; returns them.</summary>
    public List<ConsumerState> ExpireConsumers(long silentSince)
    {
        var expired = _consumers.Where(c => c.LastSeen < silentSince).ToList();
        foreach (var c in expired) RemoveConsumer(c.Actor);
        return expired;
    }

    /// <summary>
    /// Fails deliveries whose ack deadline passed (they count as an attempt: the handler hung or its node died)
    /// and moves due retries to the ready set. Returns how many deliveries passed their deadline.
    /// </summary>
    public int Tick(long now, DateTime utcNow, Action<ITopicEvent> events)
    {
        var expired = 0;
        while (_deliveries.NextExpired(now) is { } sequence)
        {
            expired++;
            Fail(sequence, $"not acknowledged within the ack deadline ({AckDeadline})", TimeSpan.Zero, unprocessable: false,
                now, utcNow, events);
        }
        while (_deliveries.NextDueRetry(now) is { } due) _ready.Add(due);
        return expired;
    }

    // ---------------------------------------------------------------- delivery

    /// <summary>
    /// Hands out deliveries to consumers with spare window, round robin, up to a batch size per consumer
    /// turn: redeliveries first (to a different consumer than last time when another has room), then new
    /// messages from the cursor up to <paramref name="lastPersisted"/>.
    /// </summary>
    public void Pump(long lastPersisted, long now, int maxBatch, int maxBatchBytes,
        Action<ConsumerState, List<TopicMessage>, List<int>> send)
    {
        if (_consumers.Count == 0) return;
        var deadline = now + (long)AckDeadline.TotalMilliseconds;
        List<TopicMessage>? messages = null;
        List<int>? attempts = null;
        var idleTurns = 0;
        while (idleTurns < _consumers.Count)
        {
            if (_ready.Count == 0 && Cursor > lastPersisted) return;
            _roundRobin = (_roundRobin + 1) % _consumers.Count;
            var consumer = _consumers[_roundRobin];
            var room = Math.Min(consumer.Capacity, maxBatch);
            if (room <= 0) { idleTurns++; continue; }
            messages ??= new List<TopicMessage>(room);
            attempts ??= new List<int>(room);
            var bytes = 0;
            while (messages.Count < room && bytes < maxBatchBytes && NextFor(consumer, lastPersisted) is { } message)
            {
                attempts.Add(_deliveries.Start(message.Sequence, consumer, deadline, _failures));
                messages.Add(message);
                bytes += message.Size;
            }
            if (messages.Count == 0) { idleTurns++; continue; }
            idleTurns = 0;
            send(consumer, messages, attempts);
            messages = null;
            attempts = null;
        }
    }

    private TopicMessage? NextFor(ConsumerState consumer, long lastPersisted)
    {
        if (_ready.Count > 0)
        {
            var otherHasRoom = false;
            foreach (var c in _consumers)
                if (!ReferenceEquals(c, consumer) && c.Capacity > 0) { otherHasRoom = true; break; }
            foreach (var seq in _ready)
            {
                // A redelivery goes to another consumer when one has room: the last one may be the reason it failed.
                if (otherHasRoom && ReferenceEquals(_deliveries.LastConsumerOf(seq), consumer)) continue;
                if (!_redriven.ContainsKey(seq) && !_log.Contains(seq))
                {
                    // Dropped from the log (its limits drop the oldest): nothing to deliver any more.
                    _ready.Remove(seq);
                    _deliveries.Forget(seq);
                    return NextFor(consumer, lastPersisted);
                }
                // Behind the hot window: its chunk is read back meanwhile; the other redeliveries go on.
                if (Find(seq) is not { } message) continue;
                _ready.Remove(seq);
                // Ordered: only the first waiting message of a key goes; the others follow when it is done.
                if (WaitsBehindItsKey(message)) return NextFor(consumer, lastPersisted);
                return message;
            }
        }
        while (Cursor <= lastPersisted)
        {
            var seq = Cursor;
            if (IsAcked(seq) || _transfers.Contains(seq) || !_log.Contains(seq))
            {
                Cursor++;
                continue;
            }
            // Ordered by key, the cursor may run ahead of a stuck key only so far: the queues stay bounded.
            if (Config.OrderedByKey && _keys.Queued >= KeyQueues.MaxQueued) return null;
            // Behind the hot window: the log reads its chunk back from the journal and the topic pumps again.
            if (!_log.TryGet(seq, out var message)) return null;
            Cursor++;
            if (_filter is not null && !_filter(message.Headers))
            {
                // Refused by the filter: acknowledged without a journal entry (the cursor filters it again after a restart).
                _acked.Add(seq);
                Filtered++;
                continue;
            }
            // A restored retry, or after a seek back a delivery still in flight: both ahead of the cursor.
            var waiting = _deliveriesAhead && _deliveries.Contains(seq);
            if (Config.OrderedByKey && message.Key is { } key && !_keys.Enqueue(key, seq)) continue;
            if (waiting) continue;
            return message;
        }
        return null;
    }

    private bool WaitsBehindItsKey(TopicMessage message) =>
        Config.OrderedByKey && message.Key is { } key && _keys.WaitsBehind(key, message.Sequence);

    /// <summary>
    /// The message by sequence (also for the dead-letter store): a redriven copy or the log's; null when it is not
    /// retained or only on disk (the log reads its chunk back, and the caller tries again after the read).
    /// </summary>
    public TopicMessage? Find(long sequence) =>
        _redriven.TryGetValue(sequence, out var copy) ? copy : _log.TryGet(sequence, out var message) ? message : null;

    private string? KeyOf(long sequence) => Config.OrderedByKey ? _keys.KeyOf(sequence) : null;

    /// <summary>The message left its key's queue (done or dead-lettered): the next of the key may go.</summary>
    private void ReleaseKey(long sequence, string? key)
    {
        if (key is null || _keys.Release(key, sequence) is not { } next) return;
        // The next of the key goes now, unless it is in flight or waiting for its retry (the tick readies it then).
        if (_deliveries.IsIdle(next)) _ready.Add(next);
    }
}
