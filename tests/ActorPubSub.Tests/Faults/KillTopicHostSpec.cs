using System.Diagnostics;
using Akka.Cluster;
using ActorPubSub.Client;
using ActorPubSub.Tests.Support.Stores;
using Xunit.Abstractions;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// <c>kill -9</c> of a broker while publishes and deliveries run: the client resends what had no receipt, the Split
/// Brain Resolver downs the dead member, its topics recover on another broker from PostgreSQL, and nothing confirmed is
/// lost. Duplicates (deliveries whose acks died with the node) are counted, not forbidden. With the product's failure
/// detector and resolver timings the topic serves again, and new topics are placed, within 20 s of the crash — also when
/// the dead broker was the oldest, the shard coordinator's host (docs/guarantees.md, "Recovery timings").
/// </summary>
[Collection(FaultsCollection.Name)]
[Trait("Category", "Faults")]
public sealed class KillTopicHostSpec(ITestOutputHelper output)
{
    /// <summary>
    /// The bound the test holds recovery to. The target is 20 s (docs/guarantees.md, "Recovery timings"), and the seconds are
    /// printed as figures; the assertion is looser so that a loaded machine cannot fail it, yet tight enough that the old
    /// timings (resolver stable-after 20 s and the removal margin again: 46 s to place a topic) fail it.
    /// </summary>
    internal const double RecoveryBoundSeconds = 40;

    /// <summary>Fresh topics published to right after the kill: their shards are not allocated yet, so the coordinator must place them.</summary>
    private const int NewTopics = 5;

    [Fact]
    public async Task Kill_9_of_the_topic_host_should_lose_no_confirmed_message_and_recover_within_40_s()
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
        var figures = await workload.StopAndCheckAsync("kill -9 of the topic's host", TimeSpan.FromSeconds(60));

        // assert
        Assert.Equal(137, exitCode);   // 128 + SIGKILL: the process really died of the signal
        Assert.NotEqual(victim.Address, newHost);
        Assert.True(figures.Lost.Count == 0, figures.ToString());
        Assert.True(figures.StoredTwice == 0, figures.ToString());
        Assert.True(figures.OutOfOrder == 0, figures.ToString());
        Assert.True(figures.Recoveries[0].Seconds is < RecoveryBoundSeconds, figures.ToString());
    }

    [Fact]
    public async Task Kill_9_of_the_shard_coordinator_host_should_place_new_topics_within_40_s_and_lose_nothing()
    {
        // arrange
        await using var cluster = await BrokerCluster.StartAsync(output, TestPostgreSql.ConnectionString);
        await using var client = await cluster.StartClientAsync();
        await using var workload = await FaultWorkload.StartAsync(client, cluster, "killoldest", output, TestPostgreSql.ConnectionString);
        // The shard coordinator is a cluster singleton: it runs on the oldest member of the brokers' role.
        var oldest = Cluster.Get(client.System).State.Members
            .Where(m => m.HasRole(BrokerCluster.Role) && m.Status == MemberStatus.Up)
            .OrderBy(m => m, Member.AgeOrdering).First();
        var victim = cluster.ByAddress(oldest.Address.ToString());
        var hostedTopic = workload.Tracker.Current == victim.Address;

        // act: kill it, and at once publish to topics whose shards nobody has placed yet
        victim.Signal(ServiceProcess.SigKill);
        var clock = Stopwatch.StartNew();
        var killedAt = workload.Ledger.Fault($"kill -9 {victim.Name} (the oldest broker: the shard coordinator's host{(hostedTopic ? " and the topic's" : "")})");
        var placements = Enumerable.Range(1, NewTopics).Select(async n =>
        {
            // The client resends every 2 s until its publish timeout (30 s): the first receipt is when the topic was placed.
            await client.Client.PublishAsync($"faults-new-{n}-{Guid.NewGuid():N}", "placed", new PublishOptions { MessageId = "placed" });
            return clock.Elapsed.TotalSeconds;
        }).ToList();
        var exitCode = await victim.Process.WaitForExitAsync(BrokerCluster.ExitDeadline);
        var placedSeconds = await Task.WhenAll(placements);
        await workload.WaitForTrafficAsync(killedAt, messages: 100, BrokerCluster.StartDeadline, "delivery resumed after the kill");
        var figures = await workload.StopAndCheckAsync("kill -9 of the shard coordinator's host", TimeSpan.FromSeconds(60));
        var placed = $"  new topics placed after the coordinator's host died: {string.Join(", ", placedSeconds.Select(s => $"{s:0.0} s"))}";
        output.WriteLine(placed);
        await FaultWorkload.AppendToReportAsync(placed);

        // assert
        Assert.Equal(137, exitCode);
        Assert.True(figures.Lost.Count == 0, figures.ToString());
        Assert.True(figures.StoredTwice == 0, figures.ToString());
        Assert.True(figures.OutOfOrder == 0, figures.ToString());
        Assert.True(placedSeconds.Max() < RecoveryBoundSeconds, placed);
        Assert.True(figures.Recoveries[0].Seconds is < RecoveryBoundSeconds, figures.ToString());
    }
}
