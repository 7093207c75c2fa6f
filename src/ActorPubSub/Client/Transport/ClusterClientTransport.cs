using Akka.Actor;
using Akka.Cluster.Tools.Client;
using ActorPubSub.Gateway;

namespace ActorPubSub.Client.Transport;

/// <summary>
/// The client's route to the topics when it is not a cluster member: it stands where the topic shard region proxy stands
/// on a member (the <c>TopicRegion</c> and <c>DeadLetterRegion</c> registry keys), and hands every message to the
/// <see cref="ClusterClient"/> for the brokers' <see cref="PubSubGateway"/>, keeping its sender: the publisher, consumers
/// and asks work unchanged, and their replies come back through the receptionist's response tunnel.
/// </summary>
/// <remarks>
/// The ClusterClient buffers what is sent while it has no receptionist and drops what it sent to one that died before
/// its failure detector noticed; the publisher resends until its receipt and consumers renew their registration, so
/// both carry on once the client has reconnected (after a restart of the cluster too).
/// </remarks>
internal sealed class ClusterClientTransport : ReceiveActor
{
    /// <summary>The actor's name under /user.</summary>
    public const string Name = "actorpubsub-transport";

    public static Props Props(IActorRef clusterClient) => Akka.Actor.Props.Create(() => new ClusterClientTransport(clusterClient));

    public ClusterClientTransport(IActorRef clusterClient) =>
        // Local affinity: the receptionist's own node's gateway, one hop less; every broker's gateway reaches every topic.
        ReceiveAny(message => clusterClient.Forward(new ClusterClient.Send(PubSubGateway.Path, message, localAffinity: true)));
}
