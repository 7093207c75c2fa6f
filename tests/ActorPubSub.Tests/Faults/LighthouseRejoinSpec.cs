using Akka.Cluster;
using ActorPubSub.Tests.Support;
using ActorPubSub.Tests.Support.Stores;
using Xunit.Abstractions;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// The lighthouse (every broker's only seed) dies and is downed by the others; started again on its address, it must
/// join the running cluster (its seed list names the brokers after itself) rather than form a second cluster on the
/// same database, which the brokers restarted later would join (issue 13, item 11). Topics keep serving throughout:
/// the lighthouse hosts none. Nothing confirmed is lost.
/// </summary>
[Collection(FaultsCollection.Name)]
[Trait("Category", "Faults")]
public sealed class LighthouseRejoinSpec(ITestOutputHelper output)
{
    [Fact]
    public async Task A_downed_lighthouse_restarted_should_rejoin_the_surviving_cluster_not_form_a_new_one()
    {
        // arrange
        await using var cluster = await BrokerCluster.StartAsync(output, TestPostgreSql.ConnectionString);
        await using var client = await cluster.StartClientAsync();
        await using var workload = await FaultWorkload.StartAsync(client, cluster, "lighthouse", output, TestPostgreSql.ConnectionString);
        var firstUid = Cluster.Get(client.System).State.Members.Single(m => m.Address.ToString() == cluster.Seed).UniqueAddress.Uid;

        // act: kill it, wait until the others have downed and removed it, start it again
        cluster.Lighthouse.Signal(ServiceProcess.SigKill);
        workload.Ledger.Fault("kill -9 of the lighthouse");
        await Eventually.HoldsAsync(() => BrokerCluster.StatusIn(client, cluster.Seed) is null, "the lighthouse was removed", BrokerCluster.StartDeadline);
        await cluster.RestartLighthouseAsync();
        var restartedAt = workload.Ledger.Fault("lighthouse started again");
        await Eventually.HoldsAsync(() => Cluster.Get(client.System).State.Members.Any(m =>
            m.Address.ToString() == cluster.Seed && m.UniqueAddress.Uid != firstUid && m.Status == MemberStatus.Up),
            "the restarted lighthouse is Up in the client's cluster (not in a cluster of its own)", BrokerCluster.StartDeadline);
        await workload.WaitForTrafficAsync(restartedAt, messages: 50, BrokerCluster.StartDeadline, "traffic after the restart");
        var figures = await workload.StopAndCheckAsync("lighthouse killed, downed and restarted", TimeSpan.FromSeconds(60));

        // assert: one cluster: the brokers are still in the client's, and the new lighthouse joined it (no self-join)
        Assert.Equal(3, cluster.UpIn(client).Count);
        Assert.True(figures.Lost.Count == 0, figures.ToString());
        Assert.True(figures.StoredTwice == 0, figures.ToString());
    }
}
