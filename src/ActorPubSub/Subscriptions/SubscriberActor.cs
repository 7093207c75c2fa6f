using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using ActorPubSub.Topics;

namespace ActorPubSub.Subscriptions;

/// <summary>
/// A consumer of one subscription: registers with the topic (and keeps renewing, which also finds a topic
/// that moved to another node), runs the handler for each delivery, acks on success and nacks with
/// on failure or timeout (the topic applies the subscription's backoff and dead-letters). At most <see cref="ConsumerSettings.MaxInFlight"/> handlers
/// run at once: the topic never sends more than that window (the backpressure).
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
    private sealed record HandlerDone(long Sequence, int Attempt, Exception? Error) : IDeadLetterSuppression;

    private sealed class Renew
    {
        public static readonly Renew Instance = new();
        private Renew() { }
    }

    private sealed class FlushAcks
    {
        public static readonly FlushAcks Instance = new();
        private FlushAcks() { }
    }

    private const int MaxAckBatch = 512;

    private readonly IActorRef _region;
    private readonly string _topic;
    private readonly string _subscription;
    private readonly Handler _handler;
    private readonly ConsumerSettings _settings;
    private readonly TaskCompletionSource _completion;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private List<long> _pendingAcks = [];
    private bool _flushScheduled;
    private int _transientDone;
    private int _running;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef region, string topic, string subscription, Handler handler, ConsumerSettings settings,
        TaskCompletionSource completion) =>
        Akka.Actor.Props.Create(() => new SubscriberActor(region, topic, subscription, handler, settings, completion));

    public SubscriberActor(IActorRef region, string topic, string subscription, Handler handler, ConsumerSettings settings,
        TaskCompletionSource completion)
    {
        _region = region;
        _topic = topic;
        _subscription = subscription;
        _handler = handler;
        _settings = settings;
        _completion = completion;

        Receive<Deliver>(HandleDeliver);
        Receive<HandlerDone>(HandleDone);
        Receive<FlushAcks>(_ => Flush());
        Receive<Renew>(_ => Register());
        Receive<ConsumerRegistered>(_ => _log.Debug("Consumer of {0}/{1} registered", _topic, _subscription));
        Receive<CommandRejected>(HandleRejected);
    }

    protected override void PreStart()
    {
        Register();
        Timers.StartPeriodicTimer(nameof(Renew), Renew.Instance, _settings.RenewInterval);
    }

    protected override void PostStop()
    {
        Flush();
        _region.Tell(new StopConsuming(_topic, _subscription, Self));
        _stopping.Cancel();
        _stopping.Dispose();
        _completion.TrySetResult();
    }

    private void Register() => _region.Tell(new Consume(_topic, _subscription, Self, _settings.MaxInFlight));

    private void HandleDeliver(Deliver d)
    {
        for (var i = 0; i < d.Messages.Length; i++)
        {
            var message = d.Messages[i];
            var attempt = d.Attempts[i];
            _running++;
            Task task;
            try
            {
                task = _handler(message, attempt, _stopping.Token);
            }
            catch (Exception e)
            {
                task = Task.FromException(e);
            }
            if (task.IsCompletedSuccessfully)
            {
                HandleDone(new HandlerDone(message.Sequence, attempt, null));   // synchronous handlers skip the mailbox hop
                continue;
            }
            task.WaitAsync(_settings.HandlerTimeout).PipeTo(Self,
                success: () => new HandlerDone(message.Sequence, attempt, null),
                failure: e => new HandlerDone(message.Sequence, attempt, e));
        }
    }

    private void HandleDone(HandlerDone done)
    {
        _running--;
        if (done.Attempt == 0)
        {
            // Transient: nothing to ack or retry; report the room it frees in the transient window.
            if (done.Error is not null)
                _log.Warning("Handler failed for a transient message of {0}/{1}: {2} (transient messages are not retried)",
                    _topic, _subscription, Describe(done.Error));
            _transientDone++;
            ScheduleFlush();
            return;
        }
        if (done.Error is null)
        {
            _pendingAcks.Add(done.Sequence);
            if (_pendingAcks.Count >= MaxAckBatch) Flush();
            else ScheduleFlush();
            return;
        }
        var unprocessable = Unwrap(done.Error) is Client.UnprocessableMessageException;
        var error = done.Error is TimeoutException ? $"handler timed out after {_settings.HandlerTimeout}" : Describe(done.Error);
        _log.Warning("Handler failed for {0}/{1} #{2} (attempt {3}): {4}{5}",
            _topic, _subscription, done.Sequence, done.Attempt, error, unprocessable ? " (unprocessable: dead-lettered)" : "");
        // The topic owns the retry: it applies the subscription's backoff and dead-letters after its max attempts.
        _region.Tell(new Nack(_topic, _subscription, done.Sequence, Delay: null, error, unprocessable));
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
            _region.Tell(new TransientDone(_topic, _subscription, _transientDone));
            _transientDone = 0;
        }
        if (_pendingAcks.Count == 0) return;
        var acks = _pendingAcks.ToImmutableArray();
        _pendingAcks = [];
        _region.Tell(new Ack(_topic, _subscription, acks));
    }

    private void HandleRejected(CommandRejected rejected)
    {
        if (rejected.Code is RejectionCode.UnknownSubscription or RejectionCode.UnknownTopic or RejectionCode.Invalid)
        {
            _log.Warning("Consumer of {0}/{1} stops: {2}", _topic, _subscription, rejected.Reason);
            _completion.TrySetException(new Client.PubSubRejectedException(rejected.Code, rejected.Reason));
            Context.Stop(Self);
        }
        else _log.Warning("Topic {0} refused {1} from consumer: {2}", _topic, rejected.Command, rejected.Reason);
    }

    private static Exception Unwrap(Exception e) => e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : e;

    private static string Describe(Exception e)
    {
        var inner = Unwrap(e);
        return $"{inner.GetType().Name}: {inner.Message}";
    }
}
