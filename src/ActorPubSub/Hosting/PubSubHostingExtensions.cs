using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Client;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using Akka.Remote.Hosting;
using ActorPubSub.Catalog;
using ActorPubSub.Client;
using ActorPubSub.DeadLetters;
using ActorPubSub.Gateway;
using ActorPubSub.Observability;
using ActorPubSub.Settings;
using ActorPubSub.Fencing;
using ActorPubSub.Topics;
using Microsoft.Extensions.DependencyInjection;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Hosting;

/// <summary>Adds ActorPubSub to an Akka.Hosting ActorSystem.</summary>
public static class PubSubHostingExtensions
{
    /// <summary>The journal and snapshot plugin identifier ActorPubSub registers (not the default plugin).</summary>
    public const string PersistencePluginId = "actorpubsub";

    /// <summary>
    /// Sets up ActorPubSub: its configuration and serializer, the SQL journal (SQLite by default), the topic
    /// shard region (or a proxy on client nodes), and, unless <see cref="PubSubOptions.StandaloneCluster"/> is
    /// false, remoting on loopback and a one-node cluster. Akka's log goes through the host's <c>ILoggerFactory</c>. Use <c>services.AddPubSubClient()</c> for
    /// <see cref="IPubSub"/> in DI, or <c>IRequiredActor&lt;TopicRegion&gt;</c> for the actor protocol.
    /// </summary>
    public static AkkaConfigurationBuilder WithActorPubSub(this AkkaConfigurationBuilder builder, PubSubOptions? options = null)
    {
        options ??= new PubSubOptions();
        options.Validate();
        // Akka's own log goes where the host's log goes (Microsoft.Extensions.Logging, filtered by akka.loglevel first),
        // not as raw lines to stdout beside it.
        builder.ConfigureLoggers(loggers =>
        {
            loggers.ClearLoggers();
            loggers.AddLoggerFactory();
        });
        builder.AddHocon(options.ToHocon(), HoconAddMode.Prepend);
        builder.AddHocon(PubSubConfig.Default, HoconAddMode.Append);
        // Before anything of ours starts: a member open to anyone stops here, with the reason (the host's StartAsync throws it).
        builder.AddStartup((system, _) => RemotingExposure.Check(system));
        builder.AddHocon(PubSubConfig.PeerSafeSerialization, HoconAddMode.Append);

        // Only topic nodes persist; a client node opens no database.
        if (options.HostTopics ?? true)
        {
            var (journal, snapshots) = PubSubStorage.Resolve(options, PersistencePluginId);
            builder.WithSqlPersistence(journal, snapshots);
            builder.AddHocon(PubSubStorage.JournalTuning(options, PersistencePluginId), HoconAddMode.Prepend);
            if (options.PostgreSqlConnectionString is null)
            {
                // PostgreSQL needs nothing of the kind: the journal deletes rows and autovacuum reuses their space.
                var file = PubSubStorage.SqlitePath(options);
                var synchronous = options.SqliteSynchronous ?? SqliteSynchronous.Full;
                builder.AddStartup((system, _) =>
                {
                    var settings = SqliteCompactionSettings.Create(SettingsReader.RootOf(system));
                    if (settings.Enabled)
                        system.ActorOf(SqliteCompactor.Props(new SqliteCompaction(file, synchronous, settings.MinFreeBytes), settings),
                            "actorpubsub-sqlite-compactor");
                });
            }
        }

        if (options.StandaloneCluster ?? true)
        {
            builder.WithRemoting("127.0.0.1", 0);
            builder.WithClustering(new ClusterOptions { Roles = options.Role is null ? [] : [options.Role] });
            builder.AddStartup((system, _) =>
            {
                var cluster = Cluster.Get(system);
                cluster.Join(cluster.SelfAddress);
            });
        }

        var shards = options.NumberOfShards ?? 100;
        if (options.HostTopics ?? true)
        {
            // The gauges exist from the start (0 active topics is worth showing), not from the first topic on.
            PubSubMetrics.EnsureCreated();
            // Topics and dead-letter stores find each other through the registry when an entity starts
            // (after both regions exist), so the registration order does not matter.
            builder.WithShardRegion<TopicRegion>(TopicRegion.TypeName,
                (system, registry, _) =>
                {
                    var settings = TopicSettings.Create(system);
                    return topic => TopicActor.Props(topic, settings, registry.Get<DeadLetterRegion>());
                },
                new TopicMessageExtractor(shards),
                EntityOptions(options, TopicStop.Instance));
            // The member lease keeper runs from the start: it sees the members removed from the cluster (a topic takes over
            // from them at once) and holds the lease before the first topic claims.
            builder.AddStartup((system, _) => TopicFencing.For(system).Start($"/system/sharding/{TopicRegion.TypeName}/*/*"));
            builder.WithShardRegion<DeadLetterRegion>(DeadLetterRegion.TypeName,
                (system, registry, _) =>
                {
                    var settings = DeadLetterSettings.Create(system);
                    return entityId =>
                    {
                        var (topic, subscription) = DeadLetterEntityId.Parse(entityId);
                        return DeadLetterActor.Props(topic, subscription, settings, registry.Get<TopicRegion>());
                    };
                },
                new DeadLetterMessageExtractor(shards),
                EntityOptions(options, DeadLetterStop.Instance));
            if (options.AcceptClusterClients == true) WithGateway(builder, options.Role);
            CatalogHosting.WithCatalog(builder, options.Role, hostsCatalog: true);
        }
        else
        {
            builder.WithShardRegionProxy<TopicRegion>(TopicRegion.TypeName, options.Role ?? "", new TopicMessageExtractor(shards));
            builder.WithShardRegionProxy<DeadLetterRegion>(DeadLetterRegion.TypeName, options.Role ?? "", new DeadLetterMessageExtractor(shards));
            CatalogHosting.WithCatalog(builder, options.Role, hostsCatalog: false);
        }
        return builder;
    }

    /// <summary>
    /// The receptionist for clients outside the cluster and the gateway it serves them: registered once both regions exist.
    /// </summary>
    private static void WithGateway(AkkaConfigurationBuilder builder, string? role)
    {
        if (role is not null)
        {
            // Only the topic nodes run the mediator and a receptionist: a lighthouse or a member client runs neither, and
            // gossip sent to them would end in their dead letters.
            var quoted = "\"" + role.Replace("\"", "", StringComparison.Ordinal) + "\"";
            builder.AddHocon($"akka.cluster.pub-sub.role = {quoted}\nakka.cluster.client.receptionist.role = {quoted}\n", HoconAddMode.Prepend);
        }
        builder.AddHocon(ClusterClientReceptionist.DefaultConfig(), HoconAddMode.Append);
        builder.AddHocon(DistributedPubSub.DefaultConfig(), HoconAddMode.Append);
        builder.AddStartup((system, registry) =>
        {
            var gateway = system.ActorOf(PubSubGateway.Props(registry.Get<TopicRegion>(), registry.Get<DeadLetterRegion>(), registry.Get<CatalogSingleton>()), PubSubGateway.Name);
            ClusterClientReceptionist.Get(system).RegisterService(gateway);
        });
    }

    private static ShardOptions EntityOptions(PubSubOptions options, object handOffStopMessage) => new()
    {
        Role = options.Role,
        // A dedicated stop message lets an entity finish its journal write before it stops.
        HandOffStopMessage = handOffStopMessage,
        StateStoreMode = StateStoreMode.DData,
        RememberEntities = false,
        // Entities passivate themselves after their idle timeout.
        ShouldPassivateIdleEntities = false,
    };

    /// <summary>Registers <see cref="IPubSub"/> (the client of the DI container's ActorSystem).</summary>
    public static IServiceCollection AddPubSubClient(this IServiceCollection services) =>
        services.AddSingleton<IPubSub>(sp => PubSubClient.Get(sp.GetRequiredService<ActorSystem>()));
}
