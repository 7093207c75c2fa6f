using Akka.Actor;
using Akka.Event;
using ActorPubSub.Catalog;
using ActorPubSub.Messages;
using ActorPubSub.Topics;

namespace ActorPubSub.Gateway;

/// <summary>
/// The entry of clients outside the cluster on a broker node: registered with the ClusterClientReceptionist under
/// <see cref="Path"/>, it forwards topic commands to the topic shard region and dead-letter commands to the dead-letter
/// region. Forwarding keeps the sender (the receptionist's response tunnel), so replies go back to the client; consumers
/// name themselves in <see cref="Consume"/>, so deliveries go to them straight over remoting, not through the tunnel.
/// Catalogue requests go to the catalogue singleton's proxy (a client's watch names the client's watcher, so the
/// catalogue's pushes go to it straight too).
/// </summary>
internal sealed class PubSubGateway : ReceiveActor
{
    /// <summary>The actor's name under /user.</summary>
    public const string Name = "actorpubsub-gateway";

    /// <summary>The service path clients send to (<c>ClusterClient.Send</c>).</summary>
    public const string Path = "/user/" + Name;

    public static Props Props(IActorRef topics, IActorRef deadLetters, IActorRef catalog) =>
        Akka.Actor.Props.Create(() => new PubSubGateway(topics, deadLetters, catalog));

    public PubSubGateway(IActorRef topics, IActorRef deadLetters, IActorRef catalog)
    {
        var log = Context.GetLogger();
        Receive<ITopicCommand>(command => topics.Forward(command));
        Receive<IDeadLetterCommand>(command => deadLetters.Forward(command));
        Receive<ICatalogWireMessage>(request => catalog.Forward(request));
        // Anything else came from a client of another version or a stray sender: say so, keep running.
        ReceiveAny(message => log.Warning(
            "The ActorPubSub gateway takes topic and dead-letter commands only; dropped a {Type} from {Sender}",
            message.GetType().FullName, Sender));
    }
}
