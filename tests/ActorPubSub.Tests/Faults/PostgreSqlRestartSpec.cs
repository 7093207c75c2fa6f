using ActorPubSub.Tests.Support.Stores;
using Xunit.Abstractions;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// The database crashes under a running stream (an immediate shutdown of PostgreSQL) and comes back 10 s later:
/// publishes during the outage either wait and succeed or fail with a clear error (a storage refusal, or the client's
/// publish timeout saying the message may or may not be stored), the topic recovers by itself with no operator, and
/// nothing confirmed is lost.
/// </summary>
[Collection(FaultsCollection.Name)]
[Trait("Category", "Faults")]
public sealed class PostgreSqlRestartSpec(ITestOutputHelper output)
{
    private const string Scenario = "PostgreSQL crash (immediate shutdown) and restart after 10 s";

    /// <summary>How long the database stays down: the scenario itself, not a wait for an outcome.</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task PostgreSQL_restart_mid_stream_should_lose_no_confirmed_message_and_the_topic_should_recover_by_itself()
    {
        // arrange
        await using var cluster = await BrokerCluster.StartAsync(output, TestPostgreSql.ConnectionString);
        await using var client = await cluster.StartClientAsync();
        await using var workload = await FaultWorkload.StartAsync(client, cluster, "pg", output);

        // act
        var running = true;
        double restartedAt;
        try
        {
            await PostgreSqlControl.StopAsync();
            running = false;
            workload.Ledger.Fault("PostgreSQL stopped (immediate shutdown)");
            await Task.Delay(Outage);
        }
        finally
        {
            // Whatever happened, the server comes back: the tests after this one need it.
            if (!running) await PostgreSqlControl.StartAsync();
            restartedAt = workload.Ledger.Fault("PostgreSQL started again");
        }
        await workload.WaitForTrafficAsync(restartedAt, messages: 100, BrokerCluster.StartDeadline, "delivery resumed after the restart");
        foreach (var broker in cluster.Brokers) await BrokerCluster.WaitReadyAsync(broker);
        var figures = await workload.StopAndCheckAsync(Scenario, TimeSpan.FromSeconds(60));

        // assert
        Assert.True(figures.Lost.Count == 0, figures.ToString());
        Assert.True(figures.StoredTwice == 0, figures.ToString());
        Assert.True(figures.OutOfOrder == 0, figures.ToString());
        // A publish that did not succeed says why: the journal refused it, or no receipt came in time (maybe stored).
        Assert.True(figures.Failed == 0, figures.ToString());
        Assert.All(workload.Ledger.Publishes.Where(p => p.Outcome == PublishOutcome.Rejected),
            p => Assert.StartsWith("StorageFailure", p.Error, StringComparison.Ordinal));
        Assert.All(workload.Ledger.Publishes.Where(p => p.Outcome == PublishOutcome.TimedOut),
            p => Assert.Contains("may or may not be stored", p.Error, StringComparison.Ordinal));
        Assert.True(figures.Recoveries[1].Seconds is < 120, figures.ToString());
    }
}
