using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Event;
using ActorPubSub.Observability;
using ActorPubSub.Topics;
using ActorPubSub.Messages;

namespace ActorPubSub.Consumers;

/// <summary>
/// A consumer of one subscription: registers with the topic through its <see cref="ConsumerLink"/> (and keeps renewing,
/// which also finds a topic that moved to another node), runs the handler for each delivery, acks on success and nacks
/// on failure or timeout (the topic applies the subscription's backoff and dead-letters). At most
/// <see cref="ConsumerSettings.MaxInFlight"/> handlers run at once: the topic never sends more than that window (the backpressure),
/// and a handler that timed out but still runs keeps its place, so deliveries beyond the cap wait here until one ends.
/// A handler that times out has its <see cref="CancellationToken"/> cancelled and is nacked at once; a redelivery of a
/// message whose handler still runs waits for it to end, so this consumer never handles one message twice at once.
/// </summary>
/// <remarks>
/// The handler is invoked on this actor and runs on it until its first await; CPU-heavy handlers should
/// offload their work (Task.Run) to run in parallel.
/// </remarks>
internal sealed class SubscriberActor : ReceiveActor, IWithTimers
{
    /// <summary>Runs the user's handler for one message; the subscriber turns the outcome into ack/nack.</summary>
    public delegate Task Handler(TopicMessage message, int attempt, CancellationToken cancellationToken);

    // Handlers still running when the consumer stops complete into dead letters: expected, not worth a log line.
    // Activity: the handler's span (null unless a listener is attached), ended with the outcome.
    private sealed record HandlerDone(long Sequence, int Attempt, Exception? Error, Activity? Activity, string? CorrelationId,
        RunningHandler Handler) : IDeadLetterSuppression;

    /// <summary>A handler that timed out has now really ended: its place is free.</summary>
    private sealed record HandlerEnded(RunningHandler Handler) : IDeadLetterSuppression;

    private sealed class FlushAcks
    {
        public static readonly FlushAcks Instance = new();
        private FlushAcks() { }
    }

    private const int MaxAckBatch = 512;

    private readonly ConsumerLink _link;
    private readonly string _topic;
    private readonly string _subscription;
    private readonly Handler _handler;
    private readonly ConsumerSettings _settings;
    private readonly TaskCompletionSource _completion;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HandlerLogScope? _logScope;
    private readonly List<long> _pendingAcks = [];
    private bool _flushScheduled;
    private int _transientDone;
    private readonly RunningHandlers _running;
    private readonly TaskCompletionSource? _registered;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="logScope">The host's log scope for handlers of messages with a correlation id; null: none.</param>
    /// <param name="registered">Completed when the topic first registers the consumer (failed when it refuses it); null: not needed.</param>
    public static Props Props(IActorRef region, string topic, string subscription, Handler handler, ConsumerSettings settings,
        TaskCompletionSource completion, HandlerLogScope? logScope = null, TaskCompletionSource? registered = null) =>
        Akka.Actor.Props.Create(() => new SubscriberActor(region, topic, subscription, handler, settings, completion, logScope, registered));

    public SubscriberActor(IActorRef region, string topic, string subscription, Handler handler, ConsumerSettings settings,
        TaskCompletionSource completion, HandlerLogScope? logScope, TaskCompletionSource? registered)
    {
        _logScope = logScope;
        _registered = registered;
        _running = new RunningHandlers(settings.MaxInFlight);
        _link = new ConsumerLink(region, topic, subscription, settings.MaxInFlight, Self, Context);
        _topic = topic;
        _subscription = subscription;
        _handler = handler;
        _settings = settings;
        _completion = completion;

        Receive<Deliver>(HandleDeliver);
        Receive<HandlerDone>(HandleDone);
        Receive<HandlerEnded>(ended =>
        {
            if (ended.Handler.Attempt == 0) ReportTransientDone();
            Release(ended.Handler);
        });
        Receive<FlushAcks>(_ => Flush());
        Receive<ConsumerLink.Renew>(_ => _link.Register());
        Receive<ConsumerRegistered>(_ =>
        {
            _log.Debug("Consumer of {Topic}/{Subscription} registered", _topic, _subscription);
            _registered?.TrySetResult();
        });
        Receive<CommandRejected>(HandleRejected);
        // The delivering topic actor ended: acks go through the region until the next delivery names its successor.
        Receive<Terminated>(t => _link.Terminated(t.ActorRef));
    }

    protected override void PreStart() => _link.Start(Timers, _settings.RenewInterval);

    protected override void PostStop()
    {
        Flush();
        _link.Stop();
        _stopping.Cancel();
        _stopping.Dispose();
        _running.CancelAll();
        _registered?.TrySetException(new InvalidOperationException(
            $"The consumer of {_topic}/{_subscription} stopped before the topic registered it."));
        _completion.TrySetResult();
    }

    private void HandleDeliver(Deliver d)
    {
        _link.Delivered(Sender);
        for (var i = 0; i < d.Messages.Length; i++)
        {
            var message = d.Messages[i];
            var attempt = d.Attempts[i];
            if (_running.TryStart(message.Sequence, attempt, out var handler)) Start(message, attempt, handler);
            else _running.Wait(message, attempt);
        }
    }

    /// <summary>Runs the handler of one message in the place <paramref name="handler"/> holds for it.</summary>
    private void Start(TopicMessage message, int attempt, RunningHandler handler)
    {
        // Both null on the plain path: no listener, no correlation id (nothing allocated, nothing set).
        var activity = ConsumerTracing.Start(_topic, _subscription, message, attempt);
        var correlationId = TraceContext.CorrelationIdOf(message.Headers);
        var task = Invoke(message, attempt, activity, correlationId, handler.Cancellation.Token);
        handler.Task = task;
        // Synchronous handlers skip the mailbox hop, and allocate nothing for their outcome.
        if (task.IsCompletedSuccessfully) Done(message.Sequence, attempt, null, activity, correlationId, handler);
        else Await(task, message.Sequence, attempt, activity, correlationId, handler);
    }

    /// <summary>
    /// The outcome of a handler still running comes back as a message. (A method of its own: the lambdas' captures
    /// would otherwise be allocated on every call of <see cref="Start"/>, synchronous handlers included.)
    /// </summary>
    private void Await(Task task, long sequence, int attempt, Activity? activity, string? correlationId, RunningHandler handler) =>
        task.WaitAsync(_settings.HandlerTimeout).PipeTo(Self,
            success: () => new HandlerDone(sequence, attempt, null, activity, correlationId, handler),
            failure: e => new HandlerDone(sequence, attempt, e, activity, correlationId, handler));

    /// <summary>A handler's place is free: the deliveries waiting for one (or for their message's handler to end) start.</summary>
    private void Release(RunningHandler handler)
    {
        _running.End(handler);
        while (_running.NextStartable() is { } next) Start(next.Message, next.Attempt, next.Handler);
    }

    /// <summary>
    /// Runs the handler with its span as <see cref="Activity.Current"/>, the message's correlation id as
    /// <see cref="PubSubCorrelation.Current"/> and in a log scope: its async continuations keep them (they flow with the
    /// execution context); this thread gets its own back when the handler returns.
    /// </summary>
    private Task Invoke(TopicMessage message, int attempt, Activity? activity, string? correlationId, CancellationToken token)
    {
        if (activity is null && correlationId is null) return Run(message, attempt, token);
        var previousActivity = Activity.Current;
        var previousCorrelation = PubSubCorrelation.Current;
        IDisposable? scope = null;
        try
        {
            if (activity is not null) Activity.Current = activity;
            if (correlationId is not null)
            {
                PubSubCorrelation.Current = correlationId;
                scope = _logScope?.Begin(correlationId, _topic, _subscription, message.Sequence);
            }
            return Run(message, attempt, token);
        }
        finally
        {
            scope?.Dispose();
            PubSubCorrelation.Current = previousCorrelation;
            Activity.Current = previousActivity;
        }
    }

    private Task Run(TopicMessage message, int attempt, CancellationToken token)
    {
        try
        {
            return _handler(message, attempt, token);
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    private void HandleDone(HandlerDone done) =>
        Done(done.Sequence, done.Attempt, done.Error, done.Activity, done.CorrelationId, done.Handler);

    private void Done(long sequence, int attempt, Exception? failure, Activity? activity, string? correlationId, RunningHandler handler)
    {
        // Our timeout, not one the handler threw itself: the handler still runs.
        var timedOut = failure is TimeoutException && handler.Task is { IsCompleted: false };
        var error = failure is null ? null
            : timedOut ? $"handler timed out after {_settings.HandlerTimeout}" : Describe(failure);
        if (activity is not null) ConsumerTracing.Stop(activity, error);
        if (timedOut)
        {
            // Ask it to stop, and keep its place (MaxInFlight is a hard cap, and a redelivery of this message waits)
            // until it really ends.
            handler.Cancel(_log);
            TellWhenEnded(handler);
        }
        if (attempt == 0)
        {
            // Transient: nothing to ack or retry; the room it frees in the transient window is reported when it ends.
            if (error is not null)
                _log.Warning("Handler failed for a transient message of {Topic}/{Subscription}: {Error} (transient messages are not retried)",
                    _topic, _subscription, error);
            if (timedOut) return;
            ReportTransientDone();
            Release(handler);
            return;
        }
        if (!timedOut) Release(handler);
        if (error is null)
        {
            _pendingAcks.Add(sequence);
            if (_pendingAcks.Count >= MaxAckBatch) Flush();
            else ScheduleFlush();
            return;
        }
        var unprocessable = Unwrap(failure!) is UnprocessableMessageException;
        _log.Warning("Handler failed for {Topic}/{Subscription} #{Sequence} (attempt {Attempt}, correlation id {CorrelationId}): {Error}",
            _topic, _subscription, sequence, attempt, correlationId ?? "none",
            unprocessable ? error + " (unprocessable: dead-lettered)" : error);
        // The topic owns the retry: it applies the subscription's backoff and dead-letters after its max attempts.
        _link.Nack(sequence, error, unprocessable);
    }

    /// <summary>Tells this actor when a timed-out handler really ends (a method of its own, as <see cref="Await"/>).</summary>
    private void TellWhenEnded(RunningHandler handler)
    {
        var self = Self;
        handler.Task!.ContinueWith(_ => self.Tell(new HandlerEnded(handler)), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void ReportTransientDone()
    {
        _transientDone++;
        ScheduleFlush();
    }

    private void ScheduleFlush()
    {
        if (_flushScheduled) return;
        // Acks of handlers that complete together travel together: the flush runs after the messages
        // already in the mailbox.
        _flushScheduled = true;
        Self.Tell(FlushAcks.Instance);
    }

    private void Flush()
    {
        _flushScheduled = false;
        if (_transientDone > 0)
        {
            _link.TransientDone(_transientDone);
            _transientDone = 0;
        }
        if (_pendingAcks.Count == 0) return;
        // One array per flush; the list keeps its capacity for the next batch.
        var acks = ImmutableCollectionsMarshal.AsImmutableArray(_pendingAcks.ToArray());
        _pendingAcks.Clear();
        _link.Ack(acks);
    }

    private void HandleRejected(CommandRejected rejected)
    {
        if (ConsumerLink.Ends(rejected))
        {
            _log.Warning("Consumer of {Topic}/{Subscription} stops: {Reason}", _topic, _subscription, rejected.Reason);
            _registered?.TrySetException(new PubSubRejectedException(rejected.Code, rejected.Reason));
            _completion.TrySetException(new PubSubRejectedException(rejected.Code, rejected.Reason));
            Context.Stop(Self);
        }
        else _log.Warning("Topic {Topic} refused {Command} from consumer: {Reason}", _topic, rejected.Command, rejected.Reason);
    }

    private static Exception Unwrap(Exception e) => e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : e;

    private static string Describe(Exception e)
    {
        var inner = Unwrap(e);
        return $"{inner.GetType().Name}: {inner.Message}";
    }
}
