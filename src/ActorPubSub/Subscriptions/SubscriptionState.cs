using System.Runtime.InteropServices;
using Akka.Actor;
using ActorPubSub.Topics;

namespace ActorPubSub.Subscriptions;

/// <summary>
/// One durable subscription inside its topic: what it acknowledged (watermark plus out-of-order acks above
/// it), what is in flight at which consumer until which deadline, and what waits for redelivery.
/// Owned by the TopicActor; times are monotonic milliseconds.
/// </summary>
internal sealed class SubscriptionState
{
    private struct Delivery
    {
        public ConsumerState? Consumer;      // null: not in flight (waiting for redelivery)
        public ConsumerState? LastConsumer;
        public int Attempt;
        public long Deadline;
    }

    private readonly HashSet<long> _ackedAbove = [];
    private readonly Dictionary<long, Delivery> _deliveries = [];
    private readonly Queue<(long Sequence, long Deadline)> _deadlines = new();
    private readonly SortedSet<long> _ready = [];
    private readonly PriorityQueue<long, long> _delayed = new();
    private readonly List<ConsumerState> _consumers = [];
    private readonly List<long> _unflushedAcks = [];
    private int _roundRobin;

    public SubscriptionState(string name, long watermark, TimeSpan ackDeadline)
    {
        Name = name;
        Watermark = watermark;
        AckDeadline = ackDeadline;
        Cursor = watermark + 1;
    }

    public string Name { get; }
    public TimeSpan AckDeadline { get; }
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

    public long Pending(long lastSequence) => Math.Max(0, lastSequence - Watermark - _ackedAbove.Count);

    public bool IsAcked(long sequence) => sequence <= Watermark || _ackedAbove.Contains(sequence);

    /// <summary>Restores acknowledged state (recovery, snapshot); nothing is queued for the journal.</summary>
    public void RestoreAck(long sequence) => MarkAcked(sequence);

    /// <summary>Applies an ack from a consumer. Returns true when it acknowledged something new.</summary>
    public bool Ack(long sequence)
    {
        if (!MarkAcked(sequence)) return false;
        _unflushedAcks.Add(sequence);
        ref var d = ref CollectionsMarshal.GetValueRefOrNullRef(_deliveries, sequence);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref d))
        {
            if (d.Consumer is { } c) { c.InFlight--; InFlight--; }
            _deliveries.Remove(sequence);
        }
        _ready.Remove(sequence);
        return true;
    }

    /// <summary>A consumer gave the delivery back: redeliver after <paramref name="delayMs"/>.</summary>
    public void Nack(long sequence, long delayMs, long now)
    {
        ref var d = ref CollectionsMarshal.GetValueRefOrNullRef(_deliveries, sequence);
        if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref d) || d.Consumer is null) return;
        Release(ref d);
        if (delayMs <= 0) _ready.Add(sequence);
        else _delayed.Enqueue(sequence, now + delayMs);
    }

    /// <summary>Takes the acks not yet written to the journal.</summary>
    public long[] TakeUnflushedAcks()
    {
        var acks = _unflushedAcks.ToArray();
        _unflushedAcks.Clear();
        return acks;
    }

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

    /// <summary>Moves expired deliveries and due nacks to the ready set.</summary>
    public void Tick(long now)
    {
        while (_deadlines.TryPeek(out var head) && head.Deadline <= now)
        {
            _deadlines.Dequeue();
            ref var d = ref CollectionsMarshal.GetValueRefOrNullRef(_deliveries, head.Sequence);
            // Stale queue entries (acked, or redelivered with a later deadline) are skipped here.
            if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref d) || d.Consumer is null || d.Deadline != head.Deadline) continue;
            Release(ref d);
            _ready.Add(head.Sequence);
        }
        while (_delayed.TryPeek(out var seq, out var due) && due <= now)
        {
            _delayed.Dequeue();
            if (_deliveries.TryGetValue(seq, out var d) && d.Consumer is null) _ready.Add(seq);
        }
    }

    /// <summary>
    /// Hands out deliveries to consumers with spare window, round robin, up to a batch size per consumer
    /// turn: redeliveries first (to a different consumer than last time when another has room), then new
    /// messages from the cursor up to <paramref name="lastPersisted"/>.
    /// </summary>
    public void Pump(MessageLog log, long lastPersisted, long now, int maxBatch, int maxBatchBytes,
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
            while (messages.Count < room && bytes < maxBatchBytes && NextFor(consumer, log, lastPersisted) is { } seq)
            {
                ref var d = ref CollectionsMarshal.GetValueRefOrAddDefault(_deliveries, seq, out _);
                d.Attempt++;
                d.Consumer = consumer;
                d.LastConsumer = consumer;
                d.Deadline = deadline;
                consumer.InFlight++;
                InFlight++;
                _deadlines.Enqueue((seq, deadline));
                var message = log.Get(seq);
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

    private long? NextFor(ConsumerState consumer, MessageLog log, long lastPersisted)
    {
        if (_ready.Count > 0)
        {
            var otherHasRoom = false;
            foreach (var c in _consumers)
                if (!ReferenceEquals(c, consumer) && c.Capacity > 0) { otherHasRoom = true; break; }
            foreach (var seq in _ready)
            {
                // A redelivery goes to another consumer when one has room: the last one may be the reason it failed.
                if (otherHasRoom && ReferenceEquals(_deliveries[seq].LastConsumer, consumer)) continue;
                _ready.Remove(seq);
                if (log.Contains(seq)) return seq;
                _deliveries.Remove(seq);   // dropped from the log meanwhile (cannot happen while unacked; defensive)
                return NextFor(consumer, log, lastPersisted);
            }
        }
        while (Cursor <= lastPersisted)
        {
            var seq = Cursor++;
            if (!IsAcked(seq) && log.Contains(seq)) return seq;
        }
        return null;
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
