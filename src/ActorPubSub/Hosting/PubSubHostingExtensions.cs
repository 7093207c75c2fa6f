using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using Akka.Remote.Hosting;
using ActorPubSub.Client;
using ActorPubSub.Topics;
using Microsoft.Extensions.DependencyInjection;

namespace ActorPubSub.Hosting;

/// <summary>Adds ActorPubSub to an Akka.Hosting ActorSystem.</summary>
public static class PubSubHostingExtensions
{
    /// <summary>The journal and snapshot plugin identifier ActorPubSub registers (not the default plugin).</summary>
    public const string PersistencePluginId = "actorpubsub";

    /// <summary>
    /// Sets up ActorPubSub: its configuration and serializer, the SQL journal (SQLite by default), the topic
    /// shard region (or a proxy on client nodes), and, unless <see cref="PubSubOptions.StandaloneCluster"/> is
    /// false, remoting on loopback and a one-node cluster. Use <c>services.AddPubSubClient()</c> for
    /// <see cref="IPubSub"/> in DI, or <c>IRequiredActor&lt;TopicRegion&gt;</c> for the actor protocol.
    /// </summary>
    public static AkkaConfigurationBuilder WithActorPubSub(this AkkaConfigurationBuilder builder, PubSubOptions? options = null)
    {
        options ??= new PubSubOptions();
        options.Validate();
        builder.AddHocon(options.ToHocon(), HoconAddMode.Prepend);
        builder.AddHocon(PubSubConfig.Default, HoconAddMode.Append);

        // Only topic nodes persist; a client node opens no database.
        if (options.HostTopics ?? true)
        {
            var (journal, snapshots) = PubSubStorage.Resolve(options, PersistencePluginId);
            builder.WithSqlPersistence(journal, snapshots);
            builder.AddHocon(PubSubStorage.JournalTuning(options, PersistencePluginId), HoconAddMode.Prepend);
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
            builder.WithShardRegion<TopicRegion>(TopicRegion.TypeName,
                (system, _, _) =>
                {
                    var settings = TopicSettings.Create(system);
                    return topic => TopicActor.Props(topic, settings);
                },
                new TopicMessageExtractor(shards),
                new ShardOptions
                {
                    Role = options.Role,
                    HandOffStopMessage = TopicStop.Instance,
                    StateStoreMode = StateStoreMode.DData,
                    RememberEntities = false,
                    // Topics passivate themselves after actorpubsub.topic.idle-timeout.
                    ShouldPassivateIdleEntities = false,
                });
        }
        else
        {
            builder.WithShardRegionProxy<TopicRegion>(TopicRegion.TypeName, options.Role ?? "", new TopicMessageExtractor(shards));
        }
        return builder;
    }

    /// <summary>Registers <see cref="IPubSub"/> (the client of the DI container's ActorSystem).</summary>
    public static IServiceCollection AddPubSubClient(this IServiceCollection services) =>
        services.AddSingleton<IPubSub>(sp => PubSubClient.Get(sp.GetRequiredService<ActorSystem>()));
}
