using ActorPubSub.Server.Admin;
using ActorPubSub.Server.Admin.Actors;
using ActorPubSub.Server.Admin.Cluster;
using ActorPubSub.Node.Admin.Catalog;
using ActorPubSub.Node.Admin.PubSub;
using ActorPubSub.Node.Admin.Sharding;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorPubSub.Node;

/// <summary>The broker node's admin endpoint (pbm): the cluster, sharding, actor, pubsub and catalog palettes.</summary>
public static class NodeAdmin
{
    /// <summary>The palettes a broker node serves, in the order pbm lists them.</summary>
    public static IReadOnlyList<string> Palettes => [.. Catalog().PaletteNames];

    /// <summary>Maps <c>/admin/v1/...</c> on the node's web server, with the access rule of <paramref name="settings"/>.</summary>
    public static WebApplication MapNodeAdmin(this WebApplication app, NodeSettings settings)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(NodeLog.Category);
        return app.MapAdminEndpoints(settings.AdminAccess, Catalog(), logger);
    }

    private static AdminCatalog Catalog() =>
        new("node", [ClusterPalette.Create(), ShardingPalette.Create(), ActorPalette.Create(), PubSubPalette.Create(), CatalogPalette.Create()]);
}
