using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Pattern;
using ActorPubSub.Catalog;
using ActorPubSub.Topics;

namespace ActorPubSub.Hosting;

/// <summary>
/// The topic catalogue's part of <c>WithActorPubSub</c>: the catalogue as a cluster singleton on the topic nodes (the
/// oldest of them runs it; a standalone node runs it itself), its proxy under the <see cref="CatalogSingleton"/> registry
/// key on every member, and each member's <see cref="CatalogWatcher"/> feeding its <see cref="ContractCache"/>.
/// </summary>
internal static class CatalogHosting
{
    public static void WithCatalog(AkkaConfigurationBuilder builder, string? role, bool hostsCatalog)
    {
        var singletonOptions = new ClusterSingletonOptions { Role = role };
        if (hostsCatalog)
            builder.WithSingleton<CatalogSingleton>(CatalogSingleton.Name, (system, _, _) =>
                    // A journal failure stops the catalogue; the supervisor starts it again (it recovers from the journal)
                    // instead of leaving the cluster without one until the singleton moves.
                    BackoffSupervisor.Props(Backoff.OnStop(CatalogActor.Props(CatalogSettings.Create(system)), "catalog",
                        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, -1)),
                singletonOptions, createProxyToo: true);
        else
            builder.WithSingletonProxy<CatalogSingleton>(CatalogSingleton.Name, singletonOptions);
        if (hostsCatalog)
            // The topics of this node check what no client of this version checked (ClusterClient and older clients).
            builder.AddStartup((system, _) => TopicPublishCheck.For(system).Install(
                new TopicContractCheck((ExtendedActorSystem)system, ContractCache.Get(system), CatalogSettings.Create(system))));
        builder.AddStartup((system, registry) =>
            ((ExtendedActorSystem)system).SystemActorOf(CatalogWatcher.Props(registry.Get<CatalogSingleton>(), ContractCache.Get(system), CatalogSettings.Create(system)),
                CatalogWatcher.Name));
    }
}
