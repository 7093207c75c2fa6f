using Akka.Actor;
using ActorPubSub.Topics;

namespace ActorPubSub.Topics.Subscriptions;

/// <summary>A registered consumer of one subscription, as the topic sees it.</summary>
internal sealed class ConsumerState(IActorRef actor, int maxInFlight, long lastSeen)
{
    public IActorRef Actor { get; } = actor;
    public int MaxInFlight { get; set; } = maxInFlight;
    /// <summary>Deliveries sent to this consumer and not yet acked, nacked or timed out.</summary>
    public int InFlight { get; set; }
    /// <summary>Last registration or renewal (monotonic milliseconds).</summary>
    public long LastSeen { get; set; } = lastSeen;
    public int Capacity => MaxInFlight - InFlight;
    /// <summary>Transient deliveries sent and not yet reported done (bounded by the transient window).</summary>
    public int TransientInFlight { get; set; }
}
