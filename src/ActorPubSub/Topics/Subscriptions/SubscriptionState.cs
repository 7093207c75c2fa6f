using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Akka.Actor;
using ActorPubSub.Observability;
using ActorPubSub.Topics;
using ActorPubSub.Messages;

namespace ActorPubSub.Topics.Subscriptions;

/// <summary>
/// One durable subscription inside its topic: what it acknowledged (watermark plus out-of-order acks above
/// it), what is in flight at which consumer until which deadline, what waits for redelivery and how often it
/// failed, what is on its way to the dead-letter store, redriven copies, and (when ordered by key) which
/// messages wait behind an earlier one of their key. Owned by the TopicActor; times are monotonic milliseconds
/// unless named UTC.
/// </summary>
/// <remarks>
/// Every method that changes acknowledged or failure state is also what replaying its journal event calls,
/// so a recovered subscription is the one that was written.
/// </remarks>
internal sealed class SubscriptionState
{
    private struct Delivery
    {
        public ConsumerState? Consumer;      // null: not in flight (waiting for redelivery)
        public ConsumerState? LastConsumer;
        public int Attempt;
        public long Deadline;
        public bool Waiting;                 // a retry is scheduled for RetryDue (stale _delayed entries have other times)
        public long RetryDue;
    }

    /// <summary>What a failed delivery turned into.</summary>
    public enum FailOutcome { Stale, Retry, DeadLettered }

    private readonly MessageLog _log;
    private readonly Func<IReadOnlyDictionary<string, string>?, bool>? _filter;
    private readonly HashSet<long> _ackedAbove = [];
    private readonly Dictionary<long, Delivery> _deliveries = [];
    private readonly Queue<(long Sequence, long Deadline)> _deadlines = new();
    private readonly SortedSet<long> _ready = [];
    private readonly PriorityQueue<long, long> _delayed = new();
    private readonly List<ConsumerState> _consumers = [];
    private readonly List<long> _unflushedAcks = [];
    private readonly Dictionary<long, DeliveryFailure> _failures = [];
    private readonly List<DeadLetterTransfer> _transfers = [];        // unconfirmed, ascending ids
    private readonly HashSet<long> _transferring = [];                // their sequences
    private readonly Dictionary<long, TopicMessage> _redriven = [];   // redriven copies of acknowledged messages
    private readonly Dictionary<string, Queue<long>> _keyQueues = new(StringComparer.Ordinal);
    private int _roundRobin;
    private bool _deliveriesAhead;   // deliveries may exist at or above the cursor (restored retries, a seek back)

    /// <param name="filter">Header filter: messages it refuses count as acknowledged. Null: every message.</param>
    /// <param name="metrics">Its instruments; null: untagged ones that no gauge reports (tests of the state alone).</param>
    public SubscriptionState(string name, long watermark, SubscriptionConfig config, MessageLog log,
        Func<IReadOnlyDictionary<string, string>?, bool>? filter = null, SubscriptionMetrics? metrics = null)
    {
        Name = name;
        Metrics = metrics ?? new SubscriptionMetrics("", name);
        Watermark = watermark;
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
    public long Watermark { get; private set; }
    /// <summary>The next sequence never delivered by this incarnation of the topic.</summary>
    public long Cursor { get; private set; }
    public IReadOnlyCollection<long> AckedAbove => _ackedAbove;
    public IReadOnlyList<ConsumerState> Consumers => _consumers;
    public int InFlight { get; private set; }
    public int UnflushedAckCount => _unflushedAcks.Count;
    /// <summary>Where the next transient batch starts looking for a consumer (round robin).</summary>
    public int TransientCursor { get; set; }
    /// <summary>True while nacked deliveries wait for their delay (possibly stale entries: acked meanwhile).</summary>
    public bool HasDelayedRedeliveries => _delayed.Count > 0;
    /// <summary>The last dead-letter transfer number handed out.</summary>
    public long LastTransferId { get; private set; }
    /// <summary>Transfers up to this number are in the journal (only those are sent to the store).</summary>
    public long PersistedTransferId { get; private set; }
    public IReadOnlyList<DeadLetterTransfer> Transfers => _transfers;
    public IEnumerable<DeliveryFailure> Failures => _failures.Values;
    public IEnumerable<TopicMessage> Redriven => _redriven.Values;

    public long Pending(long lastSequence) => Math.Max(0, lastSequence - Watermark - _ackedAbove.Count) + _redriven.Count;

    public bool IsAcked(long sequence) => sequence <= Watermark || _ackedAbove.Contains(sequence);

    /// <summary>
    /// When the oldest message not yet acknowledged was published (UTC), or null when every message is: the one
    /// after the watermark (never acknowledged, or the watermark would have moved past it), or an older redriven
    /// copy. O(1) but for redriven copies, which are few.
    /// </summary>
    public DateTime? OldestUnacked(long lastSequence)
    {
        DateTime? oldest = Watermark < lastSequence && _log.Contains(Watermark + 1) ? _log.Get(Watermark + 1).Timestamp : null;
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
        if (_transferring.Count > 0 && _transferring.Contains(sequence)) return false;
        if (!Complete(sequence)) return false;
        _unflushedAcks.Add(sequence);
        return true;
    }

    /// <summary>Replays an ack (journal, snapshot); nothing is queued for the journal.</summary>
    public void RestoreAck(long sequence) => Complete(sequence);

    /// <summary>A message the filter refuses: acknowledged without a journal entry (replay filters it again).</summary>
    public void ApplyFilter(TopicMessage message)
    {
        if (_filter is not null && !_filter(message.Headers)) MarkAcked(message.Sequence);
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
        if (!MarkAcked(sequence) && !_redriven.Remove(sequence)) return false;
        ref var d = ref CollectionsMarshal.GetValueRefOrNullRef(_deliveries, sequence);
        if (!Unsafe.IsNullRef(ref d))
        {
            Release(ref d);
            _deliveries.Remove(sequence);
        }
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
        ref var d = ref CollectionsMarshal.GetValueRefOrNullRef(_deliveries, sequence);
        if (Unsafe.IsNullRef(ref d) || d.Consumer is null) return FailOutcome.Stale;
        if (IsAcked(sequence) && !_redriven.ContainsKey(sequence))
        {
            // Acknowledged meanwhile (a seek forward passed it): its outcome no longer matters.
            Release(ref d);
            _deliveries.Remove(sequence);
            return FailOutcome.Stale;
        }
        Release(ref d);
        var attempts = d.Attempt;
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
            d.Waiting = false;
            _ready.Add(sequence);
        }
        else
        {
            d.Waiting = true;
            d.RetryDue = now + waitMs;
            _delayed.Enqueue(sequence, d.RetryDue);
        }
        return FailOutcome.Retry;
    }

    /// <summary>Replays a failure: the attempt count carries on and the retry waits until its time.</summary>
    public void RestoreFailure(DeliveryFailure failure, long now, DateTime utcNow)
    {
        if (IsAcked(failure.Sequence) && !_redriven.ContainsKey(failure.Sequence)) return;
        _failures[failure.Sequence] = failure;
        _deliveriesAhead = true;
        ref var d = ref CollectionsMarshal.GetValueRefOrAddDefault(_deliveries, failure.Sequence, out _);
        if (d.Consumer is not null) return;   // (a replay never has consumers; defensive)
        d.Attempt = failure.Attempts;
        // A later failure of the same message replaces the earlier one's retry time (its queue entry goes stale).
        d.Waiting = true;
        d.RetryDue = now + (long)Math.Max(0, (failure.RetryAt - utcNow).TotalMilliseconds);
        _delayed.Enqueue(failure.Sequence, d.RetryDue);
    }

    /// <summary>
    /// The message leaves delivery for the dead-letter store: not delivered again, not acknowledged until the
    /// store confirms. Replays skip transfers already applied (a snapshot may include them).
    /// </summary>
    public void ApplyDeadLettered(DeadLetterTransfer transfer)
    {
        if (transfer.Id <= LastTransferId) return;
        LastTransferId = transfer.Id;
        var sequence = transfer.Sequence;
        var key = KeyOf(sequence);
        ref var d = ref CollectionsMarshal.GetValueRefOrNullRef(_deliveries, sequence);
        if (!Unsafe.IsNullRef(ref d))
        {
            Release(ref d);
            _deliveries.Remove(sequence);
        }
        _ready.Remove(sequence);
        _failures.Remove(sequence);
        _transfers.Add(transfer);
        _transferring.Add(sequence);
        ReleaseKey(sequence, key);
    }

    public void MarkTransfersPersisted(long upToId) => PersistedTransferId = Math.Max(PersistedTransferId, upToId);

    /// <summary>Restores the transfer numbering from a snapshot (every transfer in it is in the journal).</summary>
    public void RestoreTransferIds(long lastTransferId)
    {
        LastTransferId = Math.Max(LastTransferId, lastTransferId);
        PersistedTransferId = LastTransferId;
    }

    /// <summary>The store holds every transfer up to <paramref name="upToId"/>: those messages are done here.</summary>
    public bool ConfirmTransfers(long upToId)
    {
        var any = false;
        while (_transfers.Count > 0 && _transfers[0].Id <= upToId)
        {
            var sequence = _transfers[0].Sequence;
            _transfers.RemoveAt(0);
            _transferring.Remove(sequence);
            Complete(sequence);
            any = true;
        }
        return any;
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
            if (_transferring.Remove(sequence))
                _transfers.RemoveAll(t => t.Sequence == sequence);
            else if (IsAcked(sequence) && !_redriven.ContainsKey(sequence))
                _redriven[sequence] = m;
            _failures.Remove(sequence);
            ref var d = ref CollectionsMarshal.GetValueRefOrNullRef(_deliveries, sequence);
            if (!Unsafe.IsNullRef(ref d))
            {
                d.Attempt = 0;
                if (d.Consumer is not null) continue;   // in flight: its outcome decides
                d.Waiting = false;                      // no more backoff: it comes back now
            }
            _ready.Add(sequence);
        }
    }

    // ---------------------------------------------------------------- seek

    /// <summary>
    /// Moves the cursor: everything before <paramref name="sequence"/> counts as acknowledged, everything from it
    /// on is delivered again. Deliveries in flight finish as they are; waiting retries and attempt counts are
    /// dropped (a replay starts afresh). The caller filters the retained messages again afterwards.
    /// </summary>
    public void MoveCursor(long sequence)
    {
        if (sequence - 1 >= Watermark)
        {
            _ackedAbove.RemoveWhere(s => s < sequence);
            Watermark = sequence - 1;
            AdvanceWatermark();
            // Deliveries below the cursor now count as acknowledged: free their consumers' windows.
            foreach (var s in _deliveries.Keys.Where(s => s < sequence && !_redriven.ContainsKey(s)).ToArray())
            {
                ref var d = ref CollectionsMarshal.GetValueRefOrNullRef(_deliveries, s);
                Release(ref d);
                _deliveries.Remove(s);
            }
        }
        else
        {
            _ackedAbove.Clear();
            Watermark = sequence - 1;
        }
        Cursor = sequence;
        _deliveriesAhead = _deliveries.Count > 0;
        _ready.Clear();
        _delayed.Clear();
        _failures.Clear();
        _keyQueues.Clear();
        foreach (var s in _deliveries.Where(kv => kv.Value.Consumer is null).Select(kv => kv.Key).ToArray()) _deliveries.Remove(s);
        foreach (var s in _redriven.Keys) _ready.Add(s);
    }

    // ---------------------------------------------------------------- consumers

    public ConsumerState? FindConsumer(IActorRef actor)
    {
        foreach (var c in _consumers) if (c.Actor.Equals(actor)) return c;
        return null;
    }

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
        {
            foreach (var seq in _deliveries.Keys.ToArray())
            {
                ref var d = ref CollectionsMarshal.GetValueRefOrNullRef(_deliveries, seq);
                if (!ReferenceEquals(d.Consumer, c)) continue;
                Release(ref d);
                _ready.Add(seq);
            }
        }
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
        while (_deadlines.TryPeek(out var head) && head.Deadline <= now)
        {
            _deadlines.Dequeue();
            ref var d = ref CollectionsMarshal.GetValueRefOrNullRef(_deliveries, head.Sequence);
            // Stale queue entries (acked, or redelivered with a later deadline) are skipped here.
            if (Unsafe.IsNullRef(ref d) || d.Consumer is null || d.Deadline != head.Deadline) continue;
            expired++;
            Fail(head.Sequence, $"not acknowledged within the ack deadline ({AckDeadline})", TimeSpan.Zero, unprocessable: false,
                now, utcNow, events);
        }
        while (_delayed.TryPeek(out var seq, out var due) && due <= now)
        {
            _delayed.Dequeue();
            ref var d = ref CollectionsMarshal.GetValueRefOrNullRef(_deliveries, seq);
            // Only the entry of the current retry counts: an older one must not cut a later backoff short.
            if (Unsafe.IsNullRef(ref d) || d.Consumer is not null || !d.Waiting || d.RetryDue != due) continue;
            d.Waiting = false;
            _ready.Add(seq);
        }
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
                var seq = message.Sequence;
                ref var d = ref CollectionsMarshal.GetValueRefOrAddDefault(_deliveries, seq, out var existed);
                if (!existed && _failures.Count > 0 && _failures.TryGetValue(seq, out var failure)) d.Attempt = failure.Attempts;
                d.Attempt++;
                d.Waiting = false;
                d.Consumer = consumer;
                d.LastConsumer = consumer;
                d.Deadline = deadline;
                consumer.InFlight++;
                InFlight++;
                _deadlines.Enqueue((seq, deadline));
                messages.Add(message);
                attempts.Add(d.Attempt);
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
                if (otherHasRoom && _deliveries.TryGetValue(seq, out var last) && ReferenceEquals(last.LastConsumer, consumer)) continue;
                _ready.Remove(seq);
                if (Lookup(seq) is not { } message)
                {
                    _deliveries.Remove(seq);   // dropped from the log meanwhile (cannot happen while unacked; defensive)
                    return NextFor(consumer, lastPersisted);
                }
                // Ordered: only the first waiting message of a key goes; the others follow when it is done.
                if (WaitsBehindItsKey(message)) return NextFor(consumer, lastPersisted);
                return message;
            }
        }
        while (Cursor <= lastPersisted)
        {
            var seq = Cursor++;
            if (IsAcked(seq) || (_transferring.Count > 0 && _transferring.Contains(seq)) || !_log.Contains(seq)) continue;
            var message = _log.Get(seq);
            // A restored retry, or after a seek back a delivery still in flight: both ahead of the cursor.
            var waiting = _deliveriesAhead && _deliveries.ContainsKey(seq);
            if (Config.OrderedByKey && message.Key is { } key)
            {
                if (_keyQueues.TryGetValue(key, out var queue)) { queue.Enqueue(seq); continue; }
                _keyQueues[key] = queue = new Queue<long>();
                queue.Enqueue(seq);
            }
            if (waiting) continue;
            return message;
        }
        return null;
    }

    private bool WaitsBehindItsKey(TopicMessage message) =>
        Config.OrderedByKey && message.Key is { } key && _keyQueues.TryGetValue(key, out var queue) &&
        queue.Peek() != message.Sequence && queue.Contains(message.Sequence);

    private TopicMessage? Lookup(long sequence) =>
        _redriven.TryGetValue(sequence, out var copy) ? copy : _log.Contains(sequence) ? _log.Get(sequence) : null;

    /// <summary>The message by sequence, for the dead-letter store: the log's or a redriven copy.</summary>
    public TopicMessage? Find(long sequence) => Lookup(sequence);

    private string? KeyOf(long sequence) =>
        Config.OrderedByKey && _log.Contains(sequence) ? _log.Get(sequence).Key : null;

    /// <summary>The message left its key's queue (done or dead-lettered): the next of the key may go.</summary>
    private void ReleaseKey(long sequence, string? key)
    {
        if (key is null || !_keyQueues.TryGetValue(key, out var queue)) return;
        if (queue.Peek() == sequence) queue.Dequeue();
        else if (queue.Contains(sequence))
        {
            var rest = queue.Where(s => s != sequence).ToArray();
            queue.Clear();
            foreach (var s in rest) queue.Enqueue(s);
        }
        else return;
        if (queue.Count == 0)
        {
            _keyQueues.Remove(key);
            return;
        }
        // The next of the key goes now, unless it is in flight or waiting for its retry (the tick readies it then).
        var next = queue.Peek();
        if (!_deliveries.TryGetValue(next, out var d) || d.Consumer is null && !d.Waiting) _ready.Add(next);
    }

    private void Release(ref Delivery d)
    {
        if (d.Consumer is null) return;
        d.Consumer.InFlight--;
        InFlight--;
        d.Consumer = null;
    }

    private bool MarkAcked(long sequence)
    {
        if (sequence <= Watermark || !_ackedAbove.Add(sequence)) return false;
        AdvanceWatermark();
        return true;
    }

    private void AdvanceWatermark()
    {
        while (_ackedAbove.Remove(Watermark + 1)) Watermark++;
    }
}
