using System.Collections.Immutable;
using Akka.Actor;
using ActorPubSub.Topics;
using ActorPubSub.Remoting;

namespace ActorPubSub.Consumers;

/// <summary>
/// The consumer's end of the consumer protocol, as one plain part owned by the consumer's actor (the client's
/// <c>SubscriberActor</c>, pbm's tail): it registers with <see cref="Consume"/> and renews that registration (which also
/// finds a topic that moved to another node), remembers the topic actor that delivers, sends acks, nacks and transient
/// reports straight to it, and says <see cref="StopConsuming"/> when the consumer ends. The owning actor receives the
/// messages and calls in; the link only tells.
/// </summary>
/// <remarks>
/// Acks go to the delivering topic actor while it lives (it is watched), else to the shard region. Straight to the
/// topic, they reach it during a shard hand-off too — the region buffers a handed-off shard's messages and drops them
/// when the hand-off starts, which lost acks (and redelivered those messages) in rolling restarts — and they skip a
/// routing hop.
/// </remarks>
public sealed class ConsumerLink
{
    /// <summary>The owner's periodic timer tick: on it, call <see cref="Register"/> again.</summary>
    public sealed class Renew
    {
        /// <summary>The one instance.</summary>
        public static readonly Renew Instance = new();
        private Renew() { }
    }

    private readonly IActorRef _region;
    private readonly IActorRef _self;
    private readonly ICanWatch _watcher;
    private IActorRef? _topicActor;

    /// <param name="region">The topics' shard region (or proxy): registrations, and acks while no topic actor is known.</param>
    /// <param name="window">The most unacknowledged deliveries the topic may send this consumer.</param>
    /// <param name="self">The owning actor: the consumer the topic delivers to, and the sender of everything the link tells.</param>
    /// <param name="watcher">The owner's context: the delivering topic actor is watched, so its end shows as <see cref="Terminated"/>.</param>
    public ConsumerLink(IActorRef region, string topic, string subscription, int window, IActorRef self, ICanWatch watcher)
    {
        _region = region;
        Topic = topic;
        Subscription = subscription;
        Window = window;
        _self = self;
        _watcher = watcher;
    }

    /// <summary>The topic consumed.</summary>
    public string Topic { get; }

    /// <summary>The subscription consumed.</summary>
    public string Subscription { get; }

    /// <summary>The most unacknowledged deliveries the topic may send (the consumer's backpressure).</summary>
    public int Window { get; }

    /// <summary>Where acks, nacks and transient reports go: the topic actor that delivered while it lives, else the region.</summary>
    public IActorRef Target => _topicActor ?? _region;

    /// <summary>Registers now and every <paramref name="renewInterval"/>: the owner's timers send it <see cref="Renew"/>.</summary>
    public void Start(ITimerScheduler timers, TimeSpan renewInterval)
    {
        Register();
        timers.StartPeriodicTimer(nameof(ConsumerLink), Renew.Instance, renewInterval);
    }

    /// <summary>Registers (or renews the registration of) the consumer with its topic, through the region.</summary>
    public void Register() => _region.Tell(new Consume(Topic, Subscription, _self, Window), _self);

    /// <summary>
    /// A <see cref="Deliver"/> came from <paramref name="sender"/>: a new incarnation of the topic (it moved, or restarted)
    /// is answered from now on, and watched.
    /// </summary>
    public void Delivered(IActorRef sender)
    {
        if (sender.Equals(_topicActor) || sender.IsNobody() || sender is DeadLetterActorRef) return;
        if (_topicActor is not null) _watcher.Unwatch(_topicActor);
        _topicActor = sender;
        _watcher.Watch(_topicActor);
    }

    /// <summary>The owner saw <paramref name="actor"/> terminate; true when it was the delivering topic actor (acks go to the region now).</summary>
    public bool Terminated(IActorRef actor)
    {
        if (!actor.Equals(_topicActor)) return false;
        _topicActor = null;
        return true;
    }

    /// <summary>
    /// True when the topic's rejection ends the consumer (the topic or subscription does not exist, or the registration
    /// is invalid); any other rejection is passing and the next renewal tries again.
    /// </summary>
    public static bool Ends(CommandRejected rejected) =>
        rejected.Code is RejectionCode.UnknownSubscription or RejectionCode.UnknownTopic or RejectionCode.Invalid;

    /// <summary>The deliveries <paramref name="sequences"/> are done.</summary>
    public void Ack(ImmutableArray<long> sequences) => Outbound.Tell(Target, new Ack(Topic, Subscription, sequences), _self);

    /// <summary>The delivery <paramref name="sequence"/> is done.</summary>
    public void Ack(long sequence) => Ack(ImmutableArray.Create(sequence));

    /// <summary>
    /// The delivery <paramref name="sequence"/> failed: the topic owns the retry (it applies the subscription's backoff and
    /// dead-letters after its max attempts; at once when <paramref name="unprocessable"/>).
    /// </summary>
    public void Nack(long sequence, string error, bool unprocessable) =>
        Outbound.Tell(Target, new Nack(Topic, Subscription, sequence, Delay: null, error, unprocessable), _self);

    /// <summary><paramref name="count"/> transient deliveries are done: room in the topic's transient window.</summary>
    public void TransientDone(int count) => Outbound.Tell(Target, new TransientDone(Topic, Subscription, count), _self);

    /// <summary>The consumer ends: its unacknowledged deliveries go to the subscription's other consumers at once.</summary>
    public void Stop() => _region.Tell(new StopConsuming(Topic, Subscription, _self), _self);
}
