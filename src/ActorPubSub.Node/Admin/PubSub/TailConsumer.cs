using System.Collections.Immutable;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;
using ActorPubSub.Topics;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Consumers;
using ActorPubSub.Server.Admin;

namespace ActorPubSub.Node.Admin.PubSub;

/// <summary>
/// The consumer behind <c>pubsub tail</c>: registers with the topic like any consumer (and keeps renewing), hands each
/// delivery to the HTTP stream through a channel, and acks it only once the stream has written it. The topic sends at
/// most <see cref="Window"/> unacknowledged deliveries, so a slow reader slows the tail down instead of filling memory.
/// Messages are passed on as stored (the stream shows them with <see cref="PayloadText"/>), never deserialized here.
/// </summary>
internal sealed class TailConsumer : ReceiveActor, IWithTimers
{
    public const int Window = 64;

    /// <summary>One delivery for the stream. <see cref="Attempt"/> 0: a transient message (not acknowledged).</summary>
    public sealed record Item(TopicMessage Message, int Attempt);

    /// <summary>The stream wrote this delivery: ack it (or free its transient slot).</summary>
    public sealed record Written(long Sequence, int Attempt);

    /// <summary>Why the topic ended the tail (the subscription was deleted, ...).</summary>
    public sealed class Ended(string reason) : Exception(reason);

    private sealed class Renew
    {
        public static readonly Renew Instance = new();
        private Renew() { }
    }

    private readonly IActorRef _region;
    private readonly string _topic;
    private readonly string _subscription;
    private readonly ChannelWriter<Item> _output;
    private readonly TimeSpan _renewInterval;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef region, string topic, string subscription, ChannelWriter<Item> output, TimeSpan renewInterval) =>
        Akka.Actor.Props.Create(() => new TailConsumer(region, topic, subscription, output, renewInterval));

    public TailConsumer(IActorRef region, string topic, string subscription, ChannelWriter<Item> output, TimeSpan renewInterval)
    {
        _region = region;
        _topic = topic;
        _subscription = subscription;
        _output = output;
        _renewInterval = renewInterval;

        Receive<Deliver>(d =>
        {
            for (var i = 0; i < d.Messages.Length; i++) _output.TryWrite(new Item(d.Messages[i], d.Attempts[i]));
        });
        Receive<Written>(w =>
        {
            if (w.Attempt == 0) _region.Tell(new TransientDone(_topic, _subscription, 1));
            else _region.Tell(new Ack(_topic, _subscription, ImmutableArray.Create(w.Sequence)));
        });
        Receive<Renew>(_ => Register());
        Receive<ConsumerRegistered>(_ => _log.Debug("Tail of {0}/{1} registered", _topic, _subscription));
        Receive<CommandRejected>(r =>
        {
            if (r.Code is not (RejectionCode.UnknownSubscription or RejectionCode.UnknownTopic or RejectionCode.Invalid)) return;
            _output.TryComplete(new Ended($"the topic ended the tail: {r.Reason}"));
            Context.Stop(Self);
        });
    }

    protected override void PreStart()
    {
        Register();
        Timers.StartPeriodicTimer(nameof(Renew), Renew.Instance, _renewInterval);
    }

    protected override void PostStop()
    {
        // Unacknowledged deliveries go back to the subscription's other consumers at once.
        _region.Tell(new StopConsuming(_topic, _subscription, Self));
        _output.TryComplete();
    }

    private void Register() => _region.Tell(new Consume(_topic, _subscription, Self, Window));
}
