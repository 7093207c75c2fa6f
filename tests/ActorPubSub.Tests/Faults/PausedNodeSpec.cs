using Akka.Cluster;
using ActorPubSub.Tests.Support.Stores;
using ActorPubSub.Tests.Support;
using Xunit.Abstractions;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// <c>SIGSTOP</c> of the broker that hosts the topic, for longer than the failure detector and the Split Brain
/// Resolver take to down it, then <c>SIGCONT</c>: the rest of the cluster downs and removes it and carries on; the
/// woken process finds itself downed and exits (it does not come back as a zombie member); started again on the same
/// address it joins as a new incarnation; nothing confirmed is lost.
/// </summary>
[Collection(FaultsCollection.Name)]
[Trait("Category", "Faults")]
public sealed class PausedNodeSpec(ITestOutputHelper output)
{
    private const string Scenario = "SIGSTOP of the topic's host past the failure detector, then SIGCONT";

    [Fact]
    public async Task Paused_topic_host_should_be_downed_exit_when_resumed_and_rejoin_as_a_new_incarnation()
    {
        // arrange
        await using var cluster = await BrokerCluster.StartAsync(output, TestPostgreSql.ConnectionString);
        await using var client = await cluster.StartClientAsync();
        await using var workload = await FaultWorkload.StartAsync(client, cluster, "pause", output, TestPostgreSql.ConnectionString);
        var victim = cluster.ByAddress(workload.Tracker.Current!);
        var paused = victim.Process;

        // act 1: pause it until the others have downed and removed it
        victim.Signal(ServiceProcess.SigStop);
        var pausedAt = workload.Ledger.Fault($"SIGSTOP {victim.Name} (the topic's host)");
        await Eventually.HoldsAsync(() => BrokerCluster.StatusIn(client, victim.Address) is null,
            $"the client saw {victim.Name} removed from the cluster", BrokerCluster.StartDeadline);
        await workload.WaitForTrafficAsync(pausedAt, messages: 100, BrokerCluster.StartDeadline, "delivery resumed without the paused broker");

        // act 2: wake it up
        victim.Signal(ServiceProcess.SigCont);
        workload.Ledger.Fault($"SIGCONT {victim.Name}");
        var exitCode = await paused.WaitForExitAsync(BrokerCluster.ExitDeadline);

        // act 3: start it again on the same address
        await cluster.StartAsync(victim);
        var restartedAt = workload.Ledger.Fault($"{victim.Name} started again");
        await Eventually.HoldsAsync(() => cluster.UpIn(client).Count == 3, "the client saw all three brokers Up", BrokerCluster.StartDeadline);
        await workload.WaitForTrafficAsync(restartedAt, messages: 100, BrokerCluster.StartDeadline, "traffic after the rejoin");
        var figures = await workload.StopAndCheckAsync(Scenario, TimeSpan.FromSeconds(60));

        // assert
        Assert.True(exitCode != 0, $"the downed broker exited with 0 after SIGCONT:\n{paused.Transcript}");
        Assert.Equal(MemberStatus.Up, BrokerCluster.StatusIn(client, victim.Address));
        Assert.True(figures.Lost.Count == 0, figures.ToString());
        Assert.True(figures.StoredTwice == 0, figures.ToString());
        Assert.True(figures.OutOfOrder == 0, figures.ToString());
        Assert.True(figures.Recoveries[0].Seconds is < 120, figures.ToString());
    }
}
