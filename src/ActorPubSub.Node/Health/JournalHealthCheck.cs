using Akka.Actor;
using Akka.Persistence;
using ActorPubSub.Hosting;
using ActorPubSub.Server.Web;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActorPubSub.Node.Health;

/// <summary>
/// Ready when the topics' journal answers a query: the highest sequence number of a probe persistence id that nothing
/// writes, asked through the journal plugin itself (so it goes through its connection pool and circuit breaker, and
/// the tables were created). One cheap read per probe; nothing is written.
/// </summary>
internal sealed class JournalHealthCheck(IServiceProvider services) : ActorSystemHealthCheck(services, "the journal")
{
    public const string Name = "journal";

    private const string ProbePersistenceId = "actorpubsub-health-probe";
    private static readonly string JournalPluginId = $"akka.persistence.journal.{PubSubHostingExtensions.PersistencePluginId}";

    protected override async Task<HealthCheckResult> AskAsync(ActorSystem system, CancellationToken cancellationToken)
    {
        try
        {
            var journal = Persistence.Instance.Apply(system).JournalFor(JournalPluginId);
            // max = 0: the journal reads the highest sequence number and replays nothing.
            var reply = await journal.Ask<object>(
                replyTo => new ReplayMessages(0, long.MaxValue, 0, ProbePersistenceId, replyTo),
                HealthEndpoints.CheckTimeout, cancellationToken);
            return reply switch
            {
                RecoverySuccess => HealthCheckResult.Healthy("the journal answered a query"),
                ReplayMessagesFailure failure => HealthCheckResult.Unhealthy($"the journal query failed: {failure.Cause.Message}"),
                _ => HealthCheckResult.Unhealthy($"the journal answered {reply.GetType().Name}"),
            };
        }
        catch (Exception e) when (e is not (OperationCanceledException or AskTimeoutException))
        {
            return HealthCheckResult.Unhealthy($"the journal could not be asked: {e.Message}");
        }
    }
}
