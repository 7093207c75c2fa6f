using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;
using ActorPubSub.Topics;
using ActorPubSub.Messages;
using ActorPubSub.Consumers;

namespace ActorPubSub.Node.Admin.PubSub;

/// <summary>
/// The consumer behind <c>pubsub tail</c>: a <see cref="ConsumerLink"/> like the client's consumer (registration,
/// renewals, acks straight to the topic actor that delivered), which hands each delivery to the HTTP stream through a
/// channel and acks it only once the stream has written it. The topic sends at
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

    private readonly ConsumerLink _link;
    private readonly ChannelWriter<Item> _output;
    private readonly TimeSpan _renewInterval;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef region, string topic, string subscription, ChannelWriter<Item> output, TimeSpan renewInterval) =>
        Akka.Actor.Props.Create(() => new TailConsumer(region, topic, subscription, output, renewInterval));

    public TailConsumer(IActorRef region, string topic, string subscription, ChannelWriter<Item> output, TimeSpan renewInterval)
    {
        _link = new ConsumerLink(region, topic, subscription, Window, Self, Context);
        _output = output;
        _renewInterval = renewInterval;

        Receive<Deliver>(d =>
        {
            _link.Delivered(Sender);
            for (var i = 0; i < d.Messages.Length; i++) _output.TryWrite(new Item(d.Messages[i], d.Attempts[i]));
        });
        Receive<Written>(w =>
        {
            if (w.Attempt == 0) _link.TransientDone(1);
            else _link.Ack(w.Sequence);
        });
        Receive<ConsumerLink.Renew>(_ => _link.Register());
        Receive<ConsumerRegistered>(_ => _log.Debug("Tail of {Topic}/{Subscription} registered", _link.Topic, _link.Subscription));
        Receive<CommandRejected>(r =>
        {
            if (!ConsumerLink.Ends(r)) return;
            _output.TryComplete(new Ended($"the topic ended the tail: {r.Reason}"));
            Context.Stop(Self);
        });
        // The delivering topic actor ended: acks go through the region until the next delivery names its successor.
        Receive<Terminated>(t => _link.Terminated(t.ActorRef));
    }

    protected override void PreStart() => _link.Start(Timers, _renewInterval);

    protected override void PostStop()
    {
        // Unacknowledged deliveries go back to the subscription's other consumers at once.
        _link.Stop();
        _output.TryComplete();
    }
}
