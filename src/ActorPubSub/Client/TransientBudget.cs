using System.Collections.Concurrent;

namespace ActorPubSub.Client;

/// <summary>
/// The client-wide bound on held transient messages (<c>actorpubsub.client.transient-buffer-total</c>): every topic's
/// <see cref="TransientQueue"/> takes one unit per message it holds (queued, or sent and not yet credited by the topic)
/// and gives it back with the topic's credit, so many topics together cannot grow the client's memory without bound
/// (each is also bounded alone by <c>transient-buffer</c>). A queue whose publishes wait only for this budget is woken
/// when another topic's credit frees units: its own credit may never come, as it may hold nothing in flight.
/// </summary>
internal sealed class TransientBudget(int total, Action<TransientQueue> admitted)
{
    private readonly ConcurrentDictionary<TransientQueue, byte> _waiting = new();
    private int _held;

    public int Total { get; } = total;

    public int Held => Volatile.Read(ref _held);

    /// <summary>One unit, if the budget has one.</summary>
    public bool TryTake()
    {
        for (var held = Volatile.Read(ref _held); held < Total; held = Volatile.Read(ref _held))
            if (Interlocked.CompareExchange(ref _held, held + 1, held) == held) return true;
        return false;
    }

    /// <summary>Gives units back (without waking anyone: the releasing queue first admits its own waiters).</summary>
    public void Release(int count)
    {
        if (count > 0) Interlocked.Add(ref _held, -count);
    }

    /// <summary><paramref name="queue"/> has publishes waiting: wake it when units come back (called under its lock).</summary>
    public void Waiting(TransientQueue queue) => _waiting.TryAdd(queue, 0);

    /// <summary><paramref name="queue"/> has no publish waiting any more (called under its lock).</summary>
    public void NotWaiting(TransientQueue queue) => _waiting.TryRemove(queue, out _);

    /// <summary>Called after a release, outside any queue's lock: the waiting queues admit what now fits.</summary>
    public void WakeWaiting()
    {
        foreach (var queue in _waiting.Keys)
        {
            if (Held >= Total) return;
            // A queue with nothing waiting any more leaves the set by itself (under its lock: no lost registration).
            if (queue.AdmitWaiting()) admitted(queue);
        }
    }
}
