using Akka.Actor;
using ActorPubSub.Server.Web;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActorPubSub.Node.Health;

/// <summary>Ready when the topics' journal answers a query (<see cref="JournalProbe"/>); one cheap read per probe.</summary>
internal sealed class JournalHealthCheck(IServiceProvider services) : ActorSystemHealthCheck(services, "the journal")
{
    public const string Name = "journal";

    protected override async Task<HealthCheckResult> AskAsync(ActorSystem system, CancellationToken cancellationToken) =>
        await JournalProbe.FailureAsync(system, HealthEndpoints.CheckTimeout, cancellationToken) is { } failure
            ? HealthCheckResult.Unhealthy(failure)
            : HealthCheckResult.Healthy("the journal answered a query");
}
