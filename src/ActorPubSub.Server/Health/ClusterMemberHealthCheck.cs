using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActorPubSub.Server.Health;

/// <summary>
/// Ready when this member is Up in the cluster: not while it joins (or waits for the seeds), nor once it leaves, is
/// downed or removed.
/// </summary>
internal sealed class ClusterMemberHealthCheck(IServiceProvider services) : IHealthCheck
{
    public const string Name = "cluster-member";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // The ActorSystem is created by Akka.Hosting's hosted service; until then (and after it terminated) not ready.
        if (services.GetService<ActorSystem>() is not { } system)
            return Task.FromResult(HealthCheckResult.Unhealthy("the actor system has not started"));
        if (system.WhenTerminated.IsCompleted)
            return Task.FromResult(HealthCheckResult.Unhealthy("the actor system has terminated"));
        var cluster = Cluster.Get(system);
        var status = cluster.SelfMember.Status;
        return Task.FromResult(status == MemberStatus.Up
            ? HealthCheckResult.Healthy($"Up as {cluster.SelfAddress}")
            : HealthCheckResult.Unhealthy($"member status is {status}, not Up ({cluster.SelfAddress})"));
    }
}
