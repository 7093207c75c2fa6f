using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ActorPubSub.Topics.Subscriptions;

/// <summary>
/// A subscription's deliveries: which message is in flight at which consumer until which deadline, which waits
/// for its retry until when, and how many attempts each had. Deadline and retry queues may hold stale entries
/// (acked, or redelivered since); only the entry matching a delivery's current deadline or retry time counts.
/// Times are monotonic milliseconds.
/// </summary>
internal sealed class DeliveryTracker
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

    private readonly Dictionary<long, Delivery> _deliveries = [];
    private readonly Queue<(long Sequence, long Deadline)> _deadlines = new();
    private readonly PriorityQueue<long, long> _delayed = new();

    /// <summary>Deliveries sent and not yet acked, nacked or timed out.</summary>
    public int InFlight { get; private set; }

    /// <summary>Tracked messages: in flight, waiting for a retry, or remembered for their attempt count.</summary>
    public int Count => _deliveries.Count;

    /// <summary>Entries in the deadline queue, stale ones included (what its memory holds).</summary>
    public int DeadlineEntries => _deadlines.Count;

    /// <summary>True while retries wait for their delay (possibly stale entries).</summary>
    public bool HasDelayed => _delayed.Count > 0;

    public bool Contains(long sequence) => _deliveries.ContainsKey(sequence);

    public bool IsInFlight(long sequence) => _deliveries.TryGetValue(sequence, out var d) && d.Consumer is not null;

    /// <summary>Neither in flight nor waiting for a retry.</summary>
    public bool IsIdle(long sequence) => !_deliveries.TryGetValue(sequence, out var d) || d.Consumer is null && !d.Waiting;

    public ConsumerState? LastConsumerOf(long sequence) => _deliveries.TryGetValue(sequence, out var d) ? d.LastConsumer : null;

    /// <summary>Sends <paramref name="sequence"/> to <paramref name="consumer"/>; returns its attempt number.</summary>
    /// <param name="failures">Failures restored from the journal: a first delivery carries on their attempt count.</param>
    public int Start(long sequence, ConsumerState consumer, long deadline, Dictionary<long, DeliveryFailure> failures)
    {
        ref var d = ref CollectionsMarshal.GetValueRefOrAddDefault(_deliveries, sequence, out var existed);
        if (!existed && failures.Count > 0 && failures.TryGetValue(sequence, out var failure)) d.Attempt = failure.Attempts;
        d.Attempt++;
        d.Waiting = false;
        d.Consumer = consumer;
        d.LastConsumer = consumer;
        d.Deadline = deadline;
        consumer.InFlight++;
        InFlight++;
        _deadlines.Enqueue((sequence, deadline));
        return d.Attempt;
    }

    /// <summary>Done with the message: frees its consumer's window and forgets it.</summary>
    public void Drop(long sequence)
    {
        ref var d = ref CollectionsMarshal.GetValueRefOrNullRef(_deliveries, sequence);
        if (Unsafe.IsNullRef(ref d)) return;
        Release(ref d);
        _deliveries.Remove(sequence);
        TrimStaleDeadlines();
    }

    /// <summary>
    /// Drops deadline entries at the head that no longer count (acked, or redelivered since), so the queue holds about
    /// the deliveries in flight instead of every delivery of the last ack deadline (at 500,000 msg/s and 30 s, 15
    /// million entries).
    /// </summary>
    private void TrimStaleDeadlines()
    {
        while (_deadlines.TryPeek(out var head))
        {
            ref var d = ref CollectionsMarshal.GetValueRefOrNullRef(_deliveries, head.Sequence);
            if (!Unsafe.IsNullRef(ref d) && d.Consumer is not null && d.Deadline == head.Deadline) return;
            _deadlines.Dequeue();
        }
    }

    /// <summary>Forgets a message that is not in flight (it left the log).</summary>
    public void Forget(long sequence) => _deliveries.Remove(sequence);

    /// <summary>The delivery failed: frees its consumer's window; returns the attempts so far.</summary>
    public int Release(long sequence)
    {
        ref var d = ref CollectionsMarshal.GetValueRefOrNullRef(_deliveries, sequence);
        if (Unsafe.IsNullRef(ref d)) return 0;
        Release(ref d);
        return d.Attempt;
    }

    /// <summary>The released message may go again at once (the caller makes it ready).</summary>
    public void RetryNow(long sequence)
    {
        ref var d = ref CollectionsMarshal.GetValueRefOrNullRef(_deliveries, sequence);
        if (!Unsafe.IsNullRef(ref d)) d.Waiting = false;
    }

    /// <summary>The released message may go again at <paramref name="due"/>.</summary>
    public void RetryAt(long sequence, long due)
    {
        ref var d = ref CollectionsMarshal.GetValueRefOrNullRef(_deliveries, sequence);
        if (Unsafe.IsNullRef(ref d)) return;
        d.Waiting = true;
        d.RetryDue = due;
        _delayed.Enqueue(sequence, due);
    }

    /// <summary>Replays a failure: the attempt count carries on and the retry waits until <paramref name="due"/>.</summary>
    public void RestoreRetry(long sequence, int attempts, long due)
    {
        ref var d = ref CollectionsMarshal.GetValueRefOrAddDefault(_deliveries, sequence, out _);
        if (d.Consumer is not null) return;   // (a replay never has consumers; defensive)
        d.Attempt = attempts;
        // A later failure of the same message replaces the earlier one's retry time (its queue entry goes stale).
        d.Waiting = true;
        d.RetryDue = due;
        _delayed.Enqueue(sequence, due);
    }

    /// <summary>A redrive resets the attempts; returns true when the message is in flight (its outcome decides).</summary>
    public bool ResetForRedrive(long sequence)
    {
        ref var d = ref CollectionsMarshal.GetValueRefOrNullRef(_deliveries, sequence);
        if (Unsafe.IsNullRef(ref d)) return false;
        d.Attempt = 0;
        if (d.Consumer is not null) return true;
        d.Waiting = false;   // no more backoff: it comes back now
        return false;
    }

    /// <summary>A seek forward: deliveries below <paramref name="sequence"/> are done, but for those <paramref name="keep"/> names.</summary>
    public void DropBelow(long sequence, Func<long, bool> keep)
    {
        foreach (var s in _deliveries.Keys.Where(s => s < sequence && !keep(s)).ToArray()) Drop(s);
    }

    /// <summary>A seek: waiting retries and remembered attempt counts go; deliveries in flight finish as they are.</summary>
    public void DropWaiting()
    {
        _delayed.Clear();
        foreach (var s in _deliveries.Where(kv => kv.Value.Consumer is null).Select(kv => kv.Key).ToArray()) _deliveries.Remove(s);
    }

    /// <summary>The consumer left: its deliveries are released; returns their sequences.</summary>
    public List<long> ReleaseAllOf(ConsumerState consumer)
    {
        var released = new List<long>();
        foreach (var seq in _deliveries.Keys.ToArray())
        {
            ref var d = ref CollectionsMarshal.GetValueRefOrNullRef(_deliveries, seq);
            if (!ReferenceEquals(d.Consumer, consumer)) continue;
            Release(ref d);
            released.Add(seq);
        }
        return released;
    }

    /// <summary>The next delivery whose ack deadline passed by <paramref name="now"/>, or null.</summary>
    public long? NextExpired(long now)
    {
        while (_deadlines.TryPeek(out var head) && head.Deadline <= now)
        {
            _deadlines.Dequeue();
            ref var d = ref CollectionsMarshal.GetValueRefOrNullRef(_deliveries, head.Sequence);
            // Stale queue entries (acked, or redelivered with a later deadline) are skipped here.
            if (Unsafe.IsNullRef(ref d) || d.Consumer is null || d.Deadline != head.Deadline) continue;
            return head.Sequence;
        }
        return null;
    }

    /// <summary>The next retry due by <paramref name="now"/> (no longer waiting from here on), or null.</summary>
    public long? NextDueRetry(long now)
    {
        while (_delayed.TryPeek(out var seq, out var due) && due <= now)
        {
            _delayed.Dequeue();
            ref var d = ref CollectionsMarshal.GetValueRefOrNullRef(_deliveries, seq);
            // Only the entry of the current retry counts: an older one must not cut a later backoff short.
            if (Unsafe.IsNullRef(ref d) || d.Consumer is not null || !d.Waiting || d.RetryDue != due) continue;
            d.Waiting = false;
            return seq;
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
}
