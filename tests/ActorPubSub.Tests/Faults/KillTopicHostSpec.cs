using ActorPubSub.Tests.Support.Stores;
using Xunit.Abstractions;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// <c>kill -9</c> of the broker that hosts the topic while publishes and deliveries run: the client resends what had no
/// receipt, the Split Brain Resolver downs the dead member, the topic recovers on another broker from PostgreSQL, and
/// nothing confirmed is lost. Duplicates (deliveries whose acks died with the node) are counted, not forbidden.
/// </summary>
[Collection(FaultsCollection.Name)]
[Trait("Category", "Faults")]
public sealed class KillTopicHostSpec(ITestOutputHelper output)
{
    private const string Scenario = "kill -9 of the topic's host";

    [Fact]
    public async Task Kill_9_of_the_topic_host_should_lose_no_confirmed_message()
    {
        // arrange
        await using var cluster = await BrokerCluster.StartAsync(output, TestPostgreSql.ConnectionString);
        await using var client = await cluster.StartClientAsync();
        await using var workload = await FaultWorkload.StartAsync(client, cluster, "kill", output, TestPostgreSql.ConnectionString);
        var victim = cluster.ByAddress(workload.Tracker.Current!);

        // act
        victim.Signal(ServiceProcess.SigKill);
        var killedAt = workload.Ledger.Fault($"kill -9 {victim.Name} (the topic's host)");
        var exitCode = await victim.Process.WaitForExitAsync(BrokerCluster.ExitDeadline);
        var newHost = await workload.Tracker.WaitForHostAsync(BrokerCluster.StartDeadline, other: victim.Address);
        await workload.WaitForTrafficAsync(killedAt, messages: 100, BrokerCluster.StartDeadline, "delivery resumed after the kill");
        var figures = await workload.StopAndCheckAsync(Scenario, TimeSpan.FromSeconds(60));

        // assert
        Assert.Equal(137, exitCode);   // 128 + SIGKILL: the process really died of the signal
        Assert.NotEqual(victim.Address, newHost);
        Assert.True(figures.Lost.Count == 0, figures.ToString());
        Assert.True(figures.StoredTwice == 0, figures.ToString());
        Assert.True(figures.OutOfOrder == 0, figures.ToString());
        Assert.True(figures.Recoveries[0].Seconds is < 120, figures.ToString());   // a sanity bound, not a speed test
    }
}
