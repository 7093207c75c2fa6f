using ActorPubSub.Tests.Support.Stores;
using ActorPubSub.Tests.Support;
using Xunit.Abstractions;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// A network partition cuts the broker that hosts the topic off from every other member for 60 s (network namespaces,
/// a bridge, iptables DROP; the database stays reachable from both sides, the harder case). The Split Brain Resolver
/// downs the minority: the majority removes the cut-off broker and takes the topic over, and keeps accepting publishes;
/// the cut-off broker downs itself and exits. After the heal it is started again (what Kubernetes does) and rejoins.
/// Nothing confirmed is lost.
/// </summary>
[Collection(FaultsCollection.Name)]
[Trait("Category", "Faults")]
public sealed class NetworkPartitionSpec(ITestOutputHelper output)
{
    private const string Scenario = "network partition isolating the topic's host for 60 s";

    /// <summary>How long the broker is cut off: the scenario itself, not a wait for an outcome.</summary>
    private static readonly TimeSpan Partition = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Partition_of_the_topic_host_should_down_the_minority_keep_the_majority_publishing_and_lose_nothing()
    {
        // arrange: brokers in namespaces of their own; lighthouse, client and the database forwarder on the host side
        using var network = PartitionNetwork.Create(brokers: 3);
        await using var brokers = await PartitionedBrokers.StartAsync(output, network, brokers: 3);
        var cluster = brokers.Cluster;
        await using var client = await cluster.StartClientAsync();
        await using var workload = await FaultWorkload.StartAsync(client, cluster, "partition", output, TestPostgreSql.ConnectionString);
        var victim = cluster.ByAddress(workload.Tracker.Current!);
        var cutOff = victim.Process;

        // act 1: the partition
        network.Isolate(victim.Number);
        var isolatedAt = workload.Ledger.Fault($"partition: {victim.Name} (the topic's host) cut off from every member");
        var healAt = DateTime.UtcNow + Partition;
        await Eventually.HoldsAsync(() => BrokerCluster.StatusIn(client, victim.Address) is null,
            $"the majority removed {victim.Name}", Partition);
        await workload.WaitForTrafficAsync(isolatedAt, messages: 100, Partition, "the majority delivered new messages during the partition");
        // The minority downs itself within the partition, or the test fails here.
        var minorityExit = await cutOff.WaitForExitAsync(TimeSpan.FromSeconds(Math.Max(1, (healAt - DateTime.UtcNow).TotalSeconds)));
        var exitedAt = workload.Ledger.Now;
        if (healAt > DateTime.UtcNow) await Task.Delay(healAt - DateTime.UtcNow);

        // act 2: heal, and start the broker again in its namespace
        network.Heal(victim.Number);
        var healedAt = workload.Ledger.Fault($"partition healed ({victim.Name})");
        var confirmedDuringPartition = workload.Ledger.Publishes.Count(p =>
            p.Outcome == PublishOutcome.Confirmed && p.At > isolatedAt && p.At < healedAt);
        await cluster.StartAsync(victim);
        await Eventually.HoldsAsync(() => cluster.UpIn(client).Count == 3, "the client saw all three brokers Up", BrokerCluster.StartDeadline);
        await workload.WaitForTrafficAsync(healedAt, messages: 100, BrokerCluster.StartDeadline, "traffic after the heal");
        var figures = await workload.StopAndCheckAsync(Scenario, TimeSpan.FromSeconds(60));
        output.WriteLine($"the cut-off broker exited by itself with code {minorityExit} at {exitedAt:0.0} s; " +
                         $"{confirmedDuringPartition} publishes were confirmed during the partition");

        // assert
        Assert.True(minorityExit != 0, $"the cut-off broker exited with 0:\n{cutOff.Transcript}");
        Assert.True(confirmedDuringPartition >= 100, figures.ToString());
        Assert.True(figures.Lost.Count == 0, figures.ToString());
        Assert.True(figures.StoredTwice == 0, figures.ToString());
        Assert.True(figures.OutOfOrder == 0, figures.ToString());
    }
}
