using ActorPubSub.Messages;

namespace ActorPubSub.Client;

/// <summary>
/// The transient messages of one topic that this client holds until the topic grants credit for them. The topic grants
/// credit per publisher from one pool (<c>topic.transient-credit-pool</c>, see <see cref="ActorPubSub.Topics.TransientDemand"/>):
/// this queue asks for what it holds beyond its credit, and sends only what was granted, so the topic never has to drop
/// a message of a publisher that waits, however many publishers there are. At most <see cref="Capacity"/> messages wait
/// here: beyond that a publish waits, drops or fails by its <see cref="TransientOverflow"/>, so a fast publisher is slowed
/// to what the consumers take instead of losing messages in the topic; every message held also takes a unit of the
/// client-wide <see cref="TransientBudget"/> until it is sent. Callers offer from any thread and request a flush only when
/// none is pending, so a burst costs one message to the publisher actor.
/// </summary>
internal sealed class TransientQueue(string topic, int capacity, TransientBudget budget, int demandStep = 1000)
{
    public enum Outcome { Queued, DroppedOldest, Dropped, Waiting, Full }

    private readonly object _gate = new();
    private readonly Queue<TopicMessage> _queued = new();
    private readonly Queue<(TopicMessage Message, TaskCompletionSource Admitted)> _waiters = new();
    private int _credit;     // granted by the topic, not yet used (publisher actor only)
    private int _asked;      // the demand last told to the topic, less what it granted since (publisher actor only)
    private bool _registered;   // in the budget's waiting set
    private long _lastGrant = Environment.TickCount64;

    public string Topic { get; } = topic;

    public int Capacity { get; } = capacity;

    /// <summary>1 while a flush is requested and not yet started.</summary>
    public int FlushRequested;

    /// <summary>Credit the topic granted that is not used yet.</summary>
    public int Credit { get { lock (_gate) return _credit; } }

    /// <summary>Messages waiting here for credit.</summary>
    public int Queued { get { lock (_gate) return _queued.Count; } }

    /// <summary>Buffers <paramref name="message"/> when there is room, else applies <paramref name="overflow"/>.</summary>
    /// <param name="admitted">With <see cref="Outcome.Waiting"/>: completes once the message is buffered.</param>
    public Outcome Offer(TopicMessage message, TransientOverflow overflow, out Task? admitted)
    {
        admitted = null;
        lock (_gate)
        {
            if (_waiters.Count == 0 && _queued.Count < Capacity)
            {
                if (budget.TryTake() || (overflow == TransientOverflow.Wait && RegisterWaiting() && budget.TryTake()))
                {
                    // (Registered before the second try: a release from then on wakes this queue, one before shows in it.)
                    _queued.Enqueue(message);
                    return Outcome.Queued;
                }
            }
            switch (overflow)
            {
                case TransientOverflow.Wait:
                    var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _waiters.Enqueue((message, tcs));
                    RegisterWaiting();
                    admitted = tcs.Task;
                    return Outcome.Waiting;
                case TransientOverflow.DropOldest when _queued.Count > 0:
                    _queued.Dequeue();
                    _queued.Enqueue(message);
                    return Outcome.DroppedOldest;
                case TransientOverflow.DropOldest:
                case TransientOverflow.DropNewest:
                    return Outcome.Dropped;
                default:
                    return Outcome.Full;
            }
        }
    }

    /// <summary>
    /// Takes queued messages the topic granted credit for into a batch to send (publisher actor only); their units of the
    /// client-wide budget go back, and waiting publishes take the room.
    /// </summary>
    public List<TopicMessage> Take(int maxMessages, int maxBytes)
    {
        var batch = new List<TopicMessage>();
        List<TaskCompletionSource>? admitted;
        lock (_gate)
        {
            var bytes = 0;
            while (batch.Count < maxMessages && batch.Count < _credit && _queued.TryPeek(out var next))
            {
                var size = next.Size + ClientSettings.PerMessageOverhead;
                if (batch.Count > 0 && bytes + size > maxBytes) break;
                batch.Add(_queued.Dequeue());
                bytes += size;
            }
            if (batch.Count == 0) return batch;
            _credit -= batch.Count;
            budget.Release(batch.Count);
            admitted = Admit();
        }
        admitted?.ForEach(a => a.TrySetResult());
        budget.WakeWaiting();
        return batch;
    }

    public bool HasQueued { get { lock (_gate) return _queued.Count > 0; } }

    /// <summary>The topic granted <paramref name="count"/> more messages (publisher actor only).</summary>
    public void Grant(int count)
    {
        if (count <= 0) return;
        lock (_gate)
        {
            _credit += count;
            _asked = Math.Max(0, _asked - count);
            _lastGrant = Environment.TickCount64;
        }
    }

    /// <summary>
    /// The demand to tell the topic, or 0 when there is none new (publisher actor only): what is queued beyond the credit.
    /// Told at once when nothing is asked yet, else once the unasked part reaches a step, so a stream of publishes costs
    /// one demand per step rather than one per message.
    /// </summary>
    public int Demand()
    {
        lock (_gate)
        {
            var need = _queued.Count + _waiters.Count - _credit;
            if (need <= _asked || (_asked > 0 && need - _asked < demandStep)) return 0;
            if (_asked == 0) _lastGrant = Environment.TickCount64;   // waiting for a grant starts now
            _asked = need;
            return need;
        }
    }

    /// <summary>
    /// True when messages have waited for credit without any grant for <paramref name="timeout"/>: the topic may have lost
    /// the demand (it restarted, moved or passivated). The demand is then told again (the topic takes the latest word,
    /// so a repeat does no harm while it merely has no room).
    /// </summary>
    public bool AskAgain(TimeSpan timeout)
    {
        lock (_gate)
        {
            if (_queued.Count + _waiters.Count <= _credit || Environment.TickCount64 - _lastGrant < (long)timeout.TotalMilliseconds)
                return false;
            _asked = 0;
            _lastGrant = Environment.TickCount64;
            return true;
        }
    }

    /// <summary>
    /// Admits waiting publishes that fit now (the client-wide budget freed units); true when any was admitted (the
    /// caller then requests a flush). With none left waiting, the queue leaves the budget's waiting set.
    /// </summary>
    public bool AdmitWaiting()
    {
        List<TaskCompletionSource>? admitted;
        lock (_gate)
        {
            admitted = Admit();
            // Under the lock, so an offer cannot register between this look and the removal.
            if (_waiters.Count == 0 && _registered)
            {
                _registered = false;
                budget.NotWaiting(this);
            }
        }
        admitted?.ForEach(a => a.TrySetResult());
        return admitted is not null;
    }

    /// <summary>True when the topic's own buffer has room (a full offer was then refused by the client-wide budget).</summary>
    public bool HasOwnRoom { get { lock (_gate) return _queued.Count < Capacity; } }

    /// <summary>Fails every waiting publish (the client closed).</summary>
    public void FailWaiters(Exception error)
    {
        List<TaskCompletionSource> waiting;
        lock (_gate)
        {
            waiting = [.. _waiters.Select(w => w.Admitted)];
            _waiters.Clear();
        }
        waiting.ForEach(w => w.TrySetException(error));
    }

    /// <summary>Puts this queue in the budget's waiting set (under the lock); true, for use in a condition.</summary>
    private bool RegisterWaiting()
    {
        if (!_registered)
        {
            _registered = true;
            budget.Waiting(this);
        }
        return true;
    }

    private List<TaskCompletionSource>? Admit()
    {
        List<TaskCompletionSource>? admitted = null;
        while (_waiters.Count > 0 && _queued.Count < Capacity && budget.TryTake())
        {
            var (message, done) = _waiters.Dequeue();
            _queued.Enqueue(message);
            (admitted ??= []).Add(done);
        }
        return admitted;
    }
}
