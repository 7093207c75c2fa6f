using Akka.Cluster;
using ActorPubSub.Tests.Support;
using ActorPubSub.Tests.Support.Stores;
using Npgsql;
using Xunit.Abstractions;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// Reproduction for #13 (item 11): the partition of <see cref="BrokerMajorityPartitionSpec"/> (the topic's host and 4
/// client members, 5 of 9, cut off from the lighthouse, 2 brokers and a client), healed, then every process that
/// exited started again. It must end with one cluster (all 9 members Up in the client's view, none in a cluster of its
/// own) serving the topic once: the database names one holder of the topic, a member of that cluster; nothing
/// confirmed is lost.
/// </summary>
[Collection(FaultsCollection.Name)]
[Trait("Category", "Faults")]
public sealed class PartitionRestartSpec(ITestOutputHelper output)
{
    private const string Scenario = "partition of 1 broker + 4 client members from the rest, healed, every exited process restarted";
    private const int MinorityClients = 4;

    [Fact]
    public async Task Restarting_the_downed_side_should_end_with_one_cluster_serving_the_topic_once()
    {
        // arrange: as BrokerMajorityPartitionSpec
        using var network = PartitionNetwork.Create(brokers: 3);
        await using var brokers = await PartitionedBrokers.StartAsync(output, network, brokers: 3);
        var (cluster, placements) = (brokers.Cluster, brokers.Placements);
        await using var client = await cluster.StartClientAsync();
        await using var workload = await FaultWorkload.StartAsync(client, cluster, "partition-restart", output, TestPostgreSql.ConnectionString);
        var cutOff = cluster.ByAddress(workload.Tracker.Current!);
        var members = new List<(string Address, ServiceProcess Process)>();
        for (var i = 1; i <= MinorityClients; i++)
            members.Add(await cluster.StartMemberAsync(placements[cutOff.Number - 1], "client", $"client-{i}"));
        await Eventually.HoldsAsync(() => UpCount(client) == 9, "all 9 members are Up", BrokerCluster.StartDeadline);

        // act: the partition; the cut-off side downs itself and exits
        network.Isolate(cutOff.Number);
        var isolatedAt = workload.Ledger.Fault($"partition: {cutOff.Name} and {MinorityClients} client members cut off");
        var within = TimeSpan.FromSeconds(90);
        await workload.Tracker.WaitForHostAsync(within, other: cutOff.Address);
        await cutOff.Process.WaitForExitAsync(within);
        foreach (var member in members) await member.Process.WaitForExitAsync(within);
        network.Heal(cutOff.Number);
        workload.Ledger.Fault("partition healed");

        // act: every process that exited starts again (same addresses, new incarnations)
        await cluster.StartAsync(cutOff);
        var restarted = new List<(string Address, ServiceProcess Process)>();
        for (var i = 1; i <= MinorityClients; i++)
            restarted.Add(await cluster.StartMemberAsync(placements[cutOff.Number - 1], "client", $"client-{i}-again"));
        var restartedAt = workload.Ledger.Fault("every exited process started again");
        await Eventually.HoldsAsync(() => UpCount(client) == 9,
            "the restarted broker and client members are Up in the surviving cluster (not in one of their own)", BrokerCluster.StartDeadline);
        await workload.WaitForTrafficAsync(restartedAt, messages: 100, within, "the topic serves after the restarts");
        var figures = await workload.StopAndCheckAsync(Scenario, TimeSpan.FromSeconds(60));

        // assert: one cluster: 3 brokers Up in the client's; the database names one holder of the topic, a member of it
        Assert.Equal(3, cluster.UpIn(client).Count);
        await using var connection = new NpgsqlConnection(TestPostgreSql.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT member FROM actorpubsub_topic_holder WHERE topic = @topic", connection);
        query.Parameters.AddWithValue("topic", "topic:" + workload.Topic);
        var holders = new List<string>();
        await using (var reader = await query.ExecuteReaderAsync())
            while (await reader.ReadAsync()) holders.Add(reader.GetString(0));
        var holder = Assert.Single(holders);
        var upMembers = Cluster.Get(client.System).State.Members.Where(m => m.Status == MemberStatus.Up)
            .Select(m => $"{m.Address}#{m.UniqueAddress.Uid}").ToList();
        Assert.Contains(holder, upMembers);
        output.WriteLine($"topic {workload.Topic} held by {holder}");
        Assert.True(figures.Lost.Count == 0, figures.ToString());
    }

    private static int UpCount(PubSubNode client)
    {
        var state = Cluster.Get(client.System).State;
        return state.Members.Count(m => m.Status == MemberStatus.Up && !state.Unreachable.Contains(m));
    }
}
