using Akka.Actor;
using Akka.Pattern;
using Akka.Persistence;
using ActorPubSub.Hosting;

namespace ActorPubSub.Node.Health;

/// <summary>
/// One query to the topics' journal: the highest sequence number of a probe persistence id that nothing writes, asked
/// through the journal plugin itself (its connection pool and circuit breaker, so a breaker that refuses calls counts as
/// a failure too). Nothing is written. Used by the readiness check, the journal watchdog and the join gate.
/// </summary>
internal static class JournalProbe
{
    private const string ProbePersistenceId = "actorpubsub-health-probe";

    /// <summary>
    /// The failure when the journal's circuit breaker refused the query without trying the database: it says nothing about
    /// this node's path to it now (the breaker opened on earlier failures and tries again after its reset timeout).
    /// </summary>
    public const string BreakerOpen = "the journal's circuit breaker is open (calls fail fast until it tries the database again)";
    private static readonly string JournalPluginId = $"akka.persistence.journal.{PubSubHostingExtensions.PersistencePluginId}";

    /// <summary>Null when the journal answered within <paramref name="timeout"/>, else why not (one line).</summary>
    public static async Task<string?> FailureAsync(ActorSystem system, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            var journal = Persistence.Instance.Apply(system).JournalFor(JournalPluginId);
            // max = 0: the journal reads the highest sequence number and replays nothing.
            var reply = await journal.Ask<object>(
                replyTo => new ReplayMessages(0, long.MaxValue, 0, ProbePersistenceId, replyTo), timeout, cancellationToken);
            return reply switch
            {
                RecoverySuccess => null,
                ReplayMessagesFailure { Cause: OpenCircuitException } => BreakerOpen,
                ReplayMessagesFailure failure => $"the journal query failed: {failure.Cause.Message}",
                _ => $"the journal answered {reply.GetType().Name}",
            };
        }
        catch (AskTimeoutException)
        {
            return $"the journal did not answer within {timeout.TotalSeconds:0} s";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return $"the journal could not be asked: {e.Message}";
        }
    }
}
