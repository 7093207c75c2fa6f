using ActorPubSub.Server.Health;
using ActorPubSub.Server.Web;
using Microsoft.Extensions.DependencyInjection;

namespace ActorPubSub.Node.Health;

/// <summary>The broker node's readiness: cluster member Up, journal reachable, topic region registered.</summary>
public static class NodeHealthChecks
{
    public static IServiceCollection AddNodeHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddReadinessCheck<ClusterMemberHealthCheck>(ClusterMemberHealthCheck.Name)
            .AddReadinessCheck<JournalHealthCheck>(JournalHealthCheck.Name)
            .AddReadinessCheck<TopicRegionHealthCheck>(TopicRegionHealthCheck.Name);
        return services;
    }
}
