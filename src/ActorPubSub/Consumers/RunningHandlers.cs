using Akka.Event;
using ActorPubSub.Messages;

namespace ActorPubSub.Consumers;

/// <summary>One handler's place: its message, its cancellation, and its task once started.</summary>
/// <param name="id">Unique within its <see cref="RunningHandlers"/>: the key it is kept under.</param>
internal sealed class RunningHandler(long id, long sequence, int attempt)
{
    public long Id { get; } = id;
    public long Sequence { get; } = sequence;
    public int Attempt { get; } = attempt;
    public CancellationTokenSource Cancellation { get; } = new();
    public Task? Task { get; set; }

    /// <summary>Cancels the handler's token; a callback the handler registered that throws is logged, not rethrown.</summary>
    public void Cancel(ILoggingAdapter log)
    {
        try
        {
            Cancellation.Cancel();
        }
        catch (AggregateException e)
        {
            log.Warning(e, "A cancellation callback of a handler threw");
        }
    }
}

/// <summary>
/// The handlers a consumer runs, as a plain part of the consumer's actor: at most <c>cap</c> at once (a handler that timed
/// out and still runs keeps its place), and never two of one message (a durable sequence). Deliveries that cannot start
/// wait here, in arrival order, and start as places free.
/// </summary>
internal sealed class RunningHandlers(int cap)
{
    // Keyed by the handler's id, not the object: a set of objects hashes each new handler by identity, which was 6-9% of a
    // consumer process's CPU at W2 and W3 rates (RuntimeHelpers.GetHashCode on every fresh object).
    private readonly Dictionary<long, RunningHandler> _all = [];
    private long _nextId;
    private readonly Dictionary<long, RunningHandler> _bySequence = [];
    private readonly LinkedList<(TopicMessage Message, int Attempt)> _waiting = new();

    /// <summary>Handlers running now (timed-out ones still running included).</summary>
    public int Count => _all.Count;

    /// <summary>Deliveries waiting for a place.</summary>
    public int Waiting => _waiting.Count;

    /// <summary>
    /// Takes a place for the message when one is free, nothing waits before it, and no handler of the same message
    /// runs (transient messages, attempt 0, are never the same message).
    /// </summary>
    public bool TryStart(long sequence, int attempt, out RunningHandler handler)
    {
        handler = null!;
        if (_waiting.Count > 0 || !CanStart(sequence, attempt)) return false;
        handler = Take(sequence, attempt);
        return true;
    }

    public void Wait(TopicMessage message, int attempt) => _waiting.AddLast((message, attempt));

    /// <summary>The handler ended: its place is free.</summary>
    public void End(RunningHandler handler)
    {
        if (!_all.Remove(handler.Id)) return;
        if (handler.Attempt > 0 && _bySequence.TryGetValue(handler.Sequence, out var h) && ReferenceEquals(h, handler))
            _bySequence.Remove(handler.Sequence);
        handler.Cancellation.Dispose();
    }

    /// <summary>
    /// The first waiting delivery that can start now, with its place taken; null when none can (no place, or all wait
    /// for their message's handler).
    /// </summary>
    public (TopicMessage Message, int Attempt, RunningHandler Handler)? NextStartable()
    {
        for (var node = _waiting.First; node is not null && _all.Count < cap; node = node.Next)
        {
            var (message, attempt) = node.Value;
            if (!CanStart(message.Sequence, attempt)) continue;
            _waiting.Remove(node);
            return (message, attempt, Take(message.Sequence, attempt));
        }
        return null;
    }

    /// <summary>The consumer stops: every running handler's token is cancelled.</summary>
    public void CancelAll()
    {
        foreach (var handler in _all.Values)
            try
            {
                handler.Cancellation.Cancel();
            }
            catch (AggregateException)
            {
                // the consumer is stopping; a throwing callback changes nothing
            }
    }

    private bool CanStart(long sequence, int attempt) => _all.Count < cap && (attempt == 0 || !_bySequence.ContainsKey(sequence));

    private RunningHandler Take(long sequence, int attempt)
    {
        var handler = new RunningHandler(++_nextId, sequence, attempt);
        _all.Add(handler.Id, handler);
        if (attempt > 0) _bySequence[sequence] = handler;
        return handler;
    }
}
