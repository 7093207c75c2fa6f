using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using ActorPubSub.Server.Web;
using ActorPubSub.Topics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActorPubSub.Node.Health;

/// <summary>
/// Ready when this node's topic shard region is registered with the shard coordinator, i.e. topics can be placed here.
/// This is the start-up work a broker node must finish before it takes traffic: topics themselves recover lazily, each
/// on its first message (remember-entities is off by design), so there is no up-front recovery to wait for.
/// </summary>
internal sealed class TopicRegionHealthCheck(IServiceProvider services) : ActorSystemHealthCheck(services, "the topic region")
{
    public const string Name = "topics";

    protected override async Task<HealthCheckResult> AskAsync(ActorSystem system, CancellationToken cancellationToken)
    {
        if (!ActorRegistry.For(system).TryGet<TopicRegion>(out var region))
            return HealthCheckResult.Unhealthy("the topic shard region has not started");
        // The region forwards this to the coordinator (or answers with no regions while it knows none).
        var regions = await region.Ask<CurrentRegions>(GetCurrentRegions.Instance, HealthEndpoints.CheckTimeout, cancellationToken);
        var self = Cluster.Get(system).SelfAddress;
        return regions.Regions.Contains(self)
            ? HealthCheckResult.Healthy($"the topic region is registered with the shard coordinator ({regions.Regions.Count} regions)")
            : HealthCheckResult.Unhealthy(regions.Regions.Count == 0
                ? "the topic region has not reached the shard coordinator yet"
                : $"the shard coordinator does not list this node's topic region yet ({regions.Regions.Count} other regions)");
    }
}
