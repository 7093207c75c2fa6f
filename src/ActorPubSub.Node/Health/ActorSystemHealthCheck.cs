using Akka.Actor;
using ActorPubSub.Server.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActorPubSub.Node.Health;

/// <summary>
/// A readiness check that asks a part of the running actor system (the journal, the topic region): not ready while
/// the system has not started or has terminated, nor when <paramref name="asked"/> does not answer within
/// <see cref="HealthEndpoints.CheckTimeout"/>.
/// </summary>
/// <param name="asked">What is asked, as the start of a sentence ("the journal").</param>
internal abstract class ActorSystemHealthCheck(IServiceProvider services, string asked) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (services.GetService<ActorSystem>() is not { } system || system.WhenTerminated.IsCompleted)
            return HealthCheckResult.Unhealthy("the actor system is not running");
        try
        {
            return await AskAsync(system, cancellationToken);
        }
        catch (AskTimeoutException)
        {
            return HealthCheckResult.Unhealthy($"{asked} did not answer within {HealthEndpoints.CheckTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>Asks within <see cref="HealthEndpoints.CheckTimeout"/>; an <see cref="AskTimeoutException"/> makes the check unhealthy.</summary>
    protected abstract Task<HealthCheckResult> AskAsync(ActorSystem system, CancellationToken cancellationToken);
}
