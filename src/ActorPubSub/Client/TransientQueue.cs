using ActorPubSub.Messages;

namespace ActorPubSub.Client;

/// <summary>
/// The transient messages of one topic that this client holds: queued for the publisher actor, or sent and not yet
/// confirmed by the topic (<see cref="ActorPubSub.Topics.TransientAccepted"/> gives that credit back). At most
/// <see cref="Capacity"/> together: beyond that a publish waits, drops or fails by its <see cref="TransientOverflow"/>,
/// so a fast publisher is slowed to what the consumers take instead of losing messages in the topic; every message held
/// also takes a unit of the client-wide <see cref="TransientBudget"/>. Callers offer from
/// any thread and request a flush only when none is pending, so a burst costs one message to the publisher actor.
/// </summary>
internal sealed class TransientQueue(string topic, int capacity, TransientBudget budget)
{
    public enum Outcome { Queued, DroppedOldest, Dropped, Waiting, Full }

    private readonly object _gate = new();
    private readonly Queue<TopicMessage> _queued = new();
    private readonly Queue<(TopicMessage Message, TaskCompletionSource Admitted)> _waiters = new();
    private int _inFlight;
    private bool _registered;   // in the budget's waiting set
    private long _lastProgress = Environment.TickCount64;

    public string Topic { get; } = topic;

    public int Capacity { get; } = capacity;

    /// <summary>1 while a flush is requested and not yet started.</summary>
    public int FlushRequested;

    /// <summary>Messages sent and not yet confirmed by the topic.</summary>
    public int InFlight { get { lock (_gate) return _inFlight; } }

    /// <summary>Buffers <paramref name="message"/> when there is room, else applies <paramref name="overflow"/>.</summary>
    /// <param name="admitted">With <see cref="Outcome.Waiting"/>: completes once the message is buffered.</param>
    public Outcome Offer(TopicMessage message, TransientOverflow overflow, out Task? admitted)
    {
        admitted = null;
        lock (_gate)
        {
            if (_waiters.Count == 0 && _queued.Count + _inFlight < Capacity)
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
                    // Everything held is on its way already: the newest is the one that can still be dropped.
                    return Outcome.Dropped;
                default:
                    return Outcome.Full;
            }
        }
    }

    /// <summary>Takes the queued messages into batches to send (publisher actor only); they count as in flight.</summary>
    public List<TopicMessage> Take(int maxMessages, int maxBytes)
    {
        var batch = new List<TopicMessage>();
        var bytes = 0;
        lock (_gate)
        {
            while (batch.Count < maxMessages && _queued.TryPeek(out var next))
            {
                var size = next.Size + ClientSettings.PerMessageOverhead;
                if (batch.Count > 0 && bytes + size > maxBytes) break;
                if (_inFlight == 0) _lastProgress = Environment.TickCount64;
                batch.Add(_queued.Dequeue());
                _inFlight++;
                bytes += size;
            }
        }
        return batch;
    }

    public bool HasQueued { get { lock (_gate) return _queued.Count > 0; } }

    /// <summary>The topic confirmed <paramref name="count"/> messages: room for waiting publishes.</summary>
    public void Credit(int count)
    {
        List<TaskCompletionSource>? admitted;
        lock (_gate)
        {
            var credited = Math.Clamp(count, 0, _inFlight);
            _inFlight -= credited;
            budget.Release(credited);
            _lastProgress = Environment.TickCount64;
            admitted = Admit();
        }
        admitted?.ForEach(a => a.TrySetResult());
        budget.WakeWaiting();
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
    public bool HasOwnRoom { get { lock (_gate) return _queued.Count + _inFlight < Capacity; } }

    /// <summary>
    /// True when messages have been in flight without any credit for <paramref name="timeout"/>: the topic lost them (it
    /// restarted or moved, or its confirmations were dropped). Forgets them then, so publishing goes on.
    /// </summary>
    public bool ForgetLostCredit(TimeSpan timeout)
    {
        List<TaskCompletionSource>? admitted;
        lock (_gate)
        {
            if (_inFlight == 0 || Environment.TickCount64 - _lastProgress < (long)timeout.TotalMilliseconds) return false;
            budget.Release(_inFlight);
            _inFlight = 0;
            _lastProgress = Environment.TickCount64;
            admitted = Admit();
        }
        admitted?.ForEach(a => a.TrySetResult());
        budget.WakeWaiting();
        return true;
    }

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
        while (_waiters.Count > 0 && _queued.Count + _inFlight < Capacity && budget.TryTake())
        {
            var (message, done) = _waiters.Dequeue();
            _queued.Enqueue(message);
            (admitted ??= []).Add(done);
        }
        return admitted;
    }
}
