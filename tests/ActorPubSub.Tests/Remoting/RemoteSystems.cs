using ActorPubSub.Hosting;
using ActorPubSub.Remoting;
using Akka.Actor;
using Akka.Configuration;

namespace ActorPubSub.Tests.Remoting;

/// <summary>ActorSystems on ActorPubSub's transport over loopback (port 0), for the transport's specs.</summary>
internal static class RemoteSystems
{
    public static ActorSystem Start(string name, string extra = "") =>
        ActorSystem.Create(name, ConfigurationFactory.ParseString($$"""
            akka.actor.provider = remote
            akka.loglevel = WARNING
            akka.remote.dot-netty.tcp {
              hostname = "127.0.0.1"
              port = 0
              transport-class = "{{SocketTransport.ClassName}}"
            }
            {{extra}}
            """).WithFallback(PubSubConfig.Default));

    public static Address AddressOf(ActorSystem system) => ((ExtendedActorSystem)system).Provider.DefaultAddress;

    /// <summary>An actor's full path with its system's address and uid, as Akka writes it on the wire.</summary>
    public static string Path(ActorSystem system, IActorRef actor) =>
        actor.Path.ToStringWithAddress(AddressOf(system)) + "#" + actor.Path.Uid;

    public static async Task<IActorRef> Resolve(ActorSystem from, ActorSystem to, string name) =>
        await from.ActorSelection(new RootActorPath(AddressOf(to)) / "user" / name).ResolveOne(TimeSpan.FromSeconds(30));
}
