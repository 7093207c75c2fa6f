using System.Globalization;
using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Hosting;
using Akka.Remote.Hosting;
using ActorPubSub.Catalog;
using ActorPubSub.Client.Transport;
using ActorPubSub.DeadLetters;
using ActorPubSub.Gateway;
using ActorPubSub.Topics;

namespace ActorPubSub.Hosting;

/// <summary>Adds an ActorPubSub client that is not a cluster member (Akka.Cluster.Tools' ClusterClient) to an Akka.Hosting ActorSystem.</summary>
public static class PubSubClientHostingExtensions
{
    /// <summary>The ClusterClient's name under /user.</summary>
    public const string ClusterClientName = "actorpubsub-cluster-client";

    /// <summary>
    /// Sets up <see cref="IPubSub"/> over a ClusterClient to the brokers' receptionists (<see cref="PubSubClientOptions.ContactPoints"/>;
    /// the brokers need <see cref="PubSubOptions.AcceptClusterClients"/>): remoting on <see cref="PubSubClientOptions.Hostname"/>, no
    /// cluster, so the service has no Split Brain Resolver vote, adds no membership gossip and keeps running while the
    /// cluster restarts (it reconnects by itself). Use <c>services.AddPubSubClient()</c> for <see cref="IPubSub"/> in DI.
    /// </summary>
    public static AkkaConfigurationBuilder WithActorPubSubClient(this AkkaConfigurationBuilder builder, PubSubClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var contacts = GatewayContacts.Parse(options.ContactPoints, "PubSubClientOptions.ContactPoints");
        builder.WithRemoting(new RemoteOptions
        {
            HostName = options.Hostname ?? "127.0.0.1",
            PublicHostName = options.PublicHostname,
            Port = options.Port ?? 0,
        });
        var hocon = options.ToPubSubOptions().ToHocon();
        // The protocol messages go by Akka.Cluster.Tools' protobuf serializer, not the JSON of its legacy mode.
        hocon += "akka.cluster.client.use-legacy-serialization = off\n";
        if (options.AcceptableHeartbeatPause is { } pause)
            hocon += "akka.cluster.client.acceptable-heartbeat-pause = " +
                     ((long)pause.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms\n";
        builder.AddHocon(hocon, HoconAddMode.Prepend);
        builder.AddHocon(PubSubConfig.Default, HoconAddMode.Append);
        // As WithActorPubSub: no peer picks the types this system deserializes, Akka's log goes to the host's logging,
        // and remoting open beyond loopback needs mutual TLS (or AllowPlaintextRemoting).
        builder.AddHocon(PubSubConfig.PeerSafeSerialization, HoconAddMode.Append);
        builder.ConfigureLoggers(loggers =>
        {
            loggers.ClearLoggers();
            loggers.AddLoggerFactory();
        });
        builder.AddStartup((system, _) => RemotingExposure.Check(system));
        builder.AddHocon(ClusterClientReceptionist.DefaultConfig(), HoconAddMode.Append);
        // The ClusterClient wraps what it sends to a receptionist in DistributedPubSub's Send: its serializer binding is needed
        // here too, although this system runs no mediator.
        builder.AddHocon(DistributedPubSub.DefaultConfig(), HoconAddMode.Append);
        builder.WithActors((system, registry) =>
        {
            var settings = ClusterClientSettings.Create(system).WithInitialContacts(contacts);
            var clusterClient = system.ActorOf(ClusterClient.Props(settings), ClusterClientName);
            var transport = system.ActorOf(ClusterClientTransport.Props(clusterClient), ClusterClientTransport.Name);
            // The client finds its route to the topics under the keys a member's shard region proxies have.
            registry.Register<TopicRegion>(transport);
            registry.Register<DeadLetterRegion>(transport);
            // And to the catalogue: the brokers' gateway forwards its requests to the catalogue singleton, and the watcher
            // (named in its watch) receives the catalogue's pushes straight, so this client validates as a member does.
            registry.Register<CatalogSingleton>(transport);
            ((ExtendedActorSystem)system).SystemActorOf(CatalogWatcher.Props(transport, ContractCache.Get(system), CatalogSettings.Create(system)),
                CatalogWatcher.Name);
        });
        return builder;
    }
}
