using System.Collections.Immutable;
using System.Diagnostics;
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
/// <see cref="ConsumerSettings.MaxInFlight"/> handlers run at once: the topic never sends more than that window (the backpressure).
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
    private sealed record HandlerDone(long Sequence, int Attempt, Exception? Error, Activity? Activity, string? CorrelationId)
        : IDeadLetterSuppression;

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
    private List<long> _pendingAcks = [];
    private bool _flushScheduled;
    private int _transientDone;
    private int _running;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="logScope">The host's log scope for handlers of messages with a correlation id; null: none.</param>
    public static Props Props(IActorRef region, string topic, string subscription, Handler handler, ConsumerSettings settings,
        TaskCompletionSource completion, HandlerLogScope? logScope = null) =>
        Akka.Actor.Props.Create(() => new SubscriberActor(region, topic, subscription, handler, settings, completion, logScope));

    public SubscriberActor(IActorRef region, string topic, string subscription, Handler handler, ConsumerSettings settings,
        TaskCompletionSource completion, HandlerLogScope? logScope)
    {
        _logScope = logScope;
        _link = new ConsumerLink(region, topic, subscription, settings.MaxInFlight, Self, Context);
        _topic = topic;
        _subscription = subscription;
        _handler = handler;
        _settings = settings;
        _completion = completion;

        Receive<Deliver>(HandleDeliver);
        Receive<HandlerDone>(HandleDone);
        Receive<FlushAcks>(_ => Flush());
        Receive<ConsumerLink.Renew>(_ => _link.Register());
        Receive<ConsumerRegistered>(_ => _log.Debug("Consumer of {Topic}/{Subscription} registered", _topic, _subscription));
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
        _completion.TrySetResult();
    }

    private void HandleDeliver(Deliver d)
    {
        _link.Delivered(Sender);
        for (var i = 0; i < d.Messages.Length; i++)
        {
            var message = d.Messages[i];
            var attempt = d.Attempts[i];
            _running++;
            // Both null on the plain path: no listener, no correlation id (nothing allocated, nothing set).
            var activity = ConsumerTracing.Start(_topic, _subscription, message, attempt);
            var correlationId = TraceContext.CorrelationIdOf(message.Headers);
            var task = Invoke(message, attempt, activity, correlationId);
            if (task.IsCompletedSuccessfully)
            {
                // synchronous handlers skip the mailbox hop
                HandleDone(new HandlerDone(message.Sequence, attempt, null, activity, correlationId));
                continue;
            }
            task.WaitAsync(_settings.HandlerTimeout).PipeTo(Self,
                success: () => new HandlerDone(message.Sequence, attempt, null, activity, correlationId),
                failure: e => new HandlerDone(message.Sequence, attempt, e, activity, correlationId));
        }
    }

    /// <summary>
    /// Runs the handler with its span as <see cref="Activity.Current"/>, the message's correlation id as
    /// <see cref="PubSubCorrelation.Current"/> and in a log scope: its async continuations keep them (they flow with the
    /// execution context); this thread gets its own back when the handler returns.
    /// </summary>
    private Task Invoke(TopicMessage message, int attempt, Activity? activity, string? correlationId)
    {
        if (activity is null && correlationId is null) return Run(message, attempt);
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
            return Run(message, attempt);
        }
        finally
        {
            scope?.Dispose();
            PubSubCorrelation.Current = previousCorrelation;
            Activity.Current = previousActivity;
        }
    }

    private Task Run(TopicMessage message, int attempt)
    {
        try
        {
            return _handler(message, attempt, _stopping.Token);
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    private void HandleDone(HandlerDone done)
    {
        _running--;
        var error = done.Error is null ? null
            : done.Error is TimeoutException ? $"handler timed out after {_settings.HandlerTimeout}" : Describe(done.Error);
        if (done.Activity is { } activity) ConsumerTracing.Stop(activity, error);
        if (done.Attempt == 0)
        {
            // Transient: nothing to ack or retry; report the room it frees in the transient window.
            if (error is not null)
                _log.Warning("Handler failed for a transient message of {Topic}/{Subscription}: {Error} (transient messages are not retried)",
                    _topic, _subscription, error);
            _transientDone++;
            ScheduleFlush();
            return;
        }
        if (error is null)
        {
            _pendingAcks.Add(done.Sequence);
            if (_pendingAcks.Count >= MaxAckBatch) Flush();
            else ScheduleFlush();
            return;
        }
        var unprocessable = Unwrap(done.Error!) is Client.UnprocessableMessageException;
        _log.Warning("Handler failed for {Topic}/{Subscription} #{Sequence} (attempt {Attempt}, correlation id {CorrelationId}): {Error}",
            _topic, _subscription, done.Sequence, done.Attempt, done.CorrelationId ?? "none",
            unprocessable ? error + " (unprocessable: dead-lettered)" : error);
        // The topic owns the retry: it applies the subscription's backoff and dead-letters after its max attempts.
        _link.Nack(done.Sequence, error, unprocessable);
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
        var acks = _pendingAcks.ToImmutableArray();
        _pendingAcks = [];
        _link.Ack(acks);
    }

    private void HandleRejected(CommandRejected rejected)
    {
        if (ConsumerLink.Ends(rejected))
        {
            _log.Warning("Consumer of {Topic}/{Subscription} stops: {Reason}", _topic, _subscription, rejected.Reason);
            _completion.TrySetException(new Client.PubSubRejectedException(rejected.Code, rejected.Reason));
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
