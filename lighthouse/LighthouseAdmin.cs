using ActorPubSub.Server.Admin;
using ActorPubSub.Server.Admin.Actors;
using ActorPubSub.Server.Admin.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorPubSub.Lighthouse;

/// <summary>The lighthouse's admin endpoint (pbm): the cluster and actor palettes only (a lighthouse hosts no shards or topics).</summary>
public static class LighthouseAdmin
{
    /// <summary>The palettes a lighthouse serves.</summary>
    public static IReadOnlyList<string> Palettes => [.. Catalog().PaletteNames];

    public static WebApplication MapLighthouseAdmin(this WebApplication app, LighthouseSettings settings)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(LighthouseLog.Category);
        return app.MapAdminEndpoints(settings.AdminAccess, Catalog(), logger);
    }

    private static AdminCatalog Catalog() => new("lighthouse", [ClusterPalette.Create(), ActorPalette.Create()]);
}
