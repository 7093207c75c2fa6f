using Akka.Cluster;
using ActorPubSub.Tests.Support;
using ActorPubSub.Tests.Support.Stores;
using Xunit.Abstractions;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// Reproduction for #13 (item 10): lighthouse + 3 brokers + 5 client members; a partition puts 1 broker and 4 client
/// members (5 of 9 members) on one side. Counting every member, that side won and downed the lighthouse and 2 brokers.
/// Deciding by the broker role (every member's resolver counts brokers only), the side with 2 brokers and the
/// lighthouse stays up and keeps serving; the other side (the broker and the 4 members with it) downs itself. Nothing
/// confirmed is lost. The 4 members on the minority side are node processes with a role other than the brokers' (to
/// the resolver exactly what a client service is: a member without the broker role), in the cut-off broker's network
/// namespace; the fifth is the test process's client, on the lighthouse's side.
/// </summary>
[Collection(FaultsCollection.Name)]
[Trait("Category", "Faults")]
public sealed class BrokerMajorityPartitionSpec(ITestOutputHelper output)
{
    private const string Scenario = "partition of 1 broker + 4 client members (5 of 9) from the lighthouse, 2 brokers and 1 client";
    private const int MinorityClients = 4;

    [Fact]
    public async Task Partition_should_keep_the_side_with_more_brokers_serving_although_it_has_fewer_members()
    {
        // arrange: brokers in namespaces of their own; lighthouse, the test's client and the database forwarder on the host side
        using var network = PartitionNetwork.Create(brokers: 3);
        await using var brokers = await PartitionedBrokers.StartAsync(output, network, brokers: 3);
        var (cluster, placements) = (brokers.Cluster, brokers.Placements);
        await using var client = await cluster.StartClientAsync();
        await using var workload = await FaultWorkload.StartAsync(client, cluster, "broker-majority", output, TestPostgreSql.ConnectionString);
        // The topic's host is the broker cut off with most of the clients: its topic must move to the brokers' side.
        var cutOff = cluster.ByAddress(workload.Tracker.Current!);
        var members = new List<(string Address, ServiceProcess Process)>();
        for (var i = 1; i <= MinorityClients; i++)
            members.Add(await cluster.StartMemberAsync(placements[cutOff.Number - 1], "client", $"client-{i}"));
        await Eventually.HoldsAsync(() => UpCount(client) == 9, "all 9 members (lighthouse, 3 brokers, 5 clients) are Up", BrokerCluster.StartDeadline);

        // act: cut the topic host's namespace (that broker and 4 client members) off from the rest
        network.Isolate(cutOff.Number);
        var isolatedAt = workload.Ledger.Fault($"partition: {cutOff.Name} and {MinorityClients} client members cut off (5 of 9 members)");
        var within = TimeSpan.FromSeconds(90);
        await Eventually.HoldsAsync(
            () => BrokerCluster.StatusIn(client, cutOff.Address) is null && members.All(m => BrokerCluster.StatusIn(client, m.Address) is null),
            $"the brokers' side removed {cutOff.Name} and the {MinorityClients} client members with it", within);
        var removedAt = workload.Ledger.Now;
        await workload.WaitForTrafficAsync(isolatedAt, messages: 100, within, "the side with 2 brokers kept delivering");
        var newHost = await workload.Tracker.WaitForHostAsync(within, other: cutOff.Address);
        var brokerExit = await cutOff.Process.WaitForExitAsync(within);
        var memberExits = new List<int>();
        foreach (var member in members) memberExits.Add(await member.Process.WaitForExitAsync(within));
        network.Heal(cutOff.Number);
        workload.Ledger.Fault("partition healed");
        var figures = await workload.StopAndCheckAsync(Scenario, TimeSpan.FromSeconds(60));
        output.WriteLine($"minority removed {removedAt - isolatedAt:0.0} s after the cut; {cutOff.Name} exited with {brokerExit}, " +
                         $"the client members with {string.Join(", ", memberExits)}");

        // assert: the lighthouse and the 2 other brokers are still Up and serving, the cut-off side downed itself
        var state = Cluster.Get(client.System).State;
        Assert.Contains(state.Members, m => m.Address.ToString() == cluster.Seed && m.Status == MemberStatus.Up);
        Assert.Equal(cluster.Brokers.Where(b => b != cutOff).Select(b => b.Address).Order(), cluster.UpIn(client).Select(b => b.Address).Order());
        Assert.Contains(newHost, cluster.Brokers.Where(b => b != cutOff).Select(b => b.Address));   // the topic serves from the brokers' side
        Assert.True(brokerExit != 0, $"{cutOff.Name} exited with 0:\n{cutOff.Process.Transcript}");
        Assert.True(figures.Lost.Count == 0, figures.ToString());
        Assert.True(figures.StoredTwice == 0, figures.ToString());
    }

    private static int UpCount(PubSubNode client)
    {
        var state = Cluster.Get(client.System).State;
        return state.Members.Count(m => m.Status == MemberStatus.Up && !state.Unreachable.Contains(m));
    }
}
