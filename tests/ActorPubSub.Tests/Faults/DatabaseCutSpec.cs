using System.Net;
using ActorPubSub.Tests.Support.Stores;
using Npgsql;
using Xunit.Abstractions;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// The network between the broker that hosts the topic and PostgreSQL is cut (every broker reaches the database through
/// a TCP forwarder of its own; the cut one drops everything, so the broker learns it only by its timeouts) while the
/// cluster and the other brokers stay healthy. The broker's journal watchdog finds its journal failing while the other
/// brokers' journals answer, and the broker leaves the cluster (exit code 3): its topic starts on a healthy broker.
/// Started again while the cut lasts, the broker waits for its journal and does not join; once the database is
/// reachable it joins and is ready. Nothing confirmed is lost.
/// </summary>
[Collection(FaultsCollection.Name)]
[Trait("Category", "Faults")]
public sealed class DatabaseCutSpec(ITestOutputHelper output)
{
    private const string Scenario = "database cut for the topic's host only";

    /// <summary>The node's exit code when it left because its journal was unreachable (NodeExit.JournalUnreachable).</summary>
    private const int JournalUnreachableExitCode = 3;

    [Fact]
    public async Task Database_cut_for_the_topic_host_should_move_its_topics_within_40_s_and_lose_nothing()
    {
        // arrange: each broker reaches PostgreSQL through a forwarder of its own
        var database = new NpgsqlConnectionStringBuilder(TestPostgreSql.ConnectionString);
        var target = new IPEndPoint(IPAddress.Parse(database.Host!), database.Port);
        var forwarders = Enumerable.Range(0, 3).Select(_ => TcpForwarder.Start(IPAddress.Loopback, target)).ToList();
        try
        {
            var placements = forwarders.Select(f => new BrokerPlacement("127.0.0.1",
                new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = f.Port }.ConnectionString)).ToList();
            await using var cluster = await BrokerCluster.StartAsync(output, TestPostgreSql.ConnectionString, placements);
            await using var client = await cluster.StartClientAsync();
            await using var workload = await FaultWorkload.StartAsync(client, cluster, "dbcut", output, TestPostgreSql.ConnectionString);
            var victim = cluster.ByAddress(workload.Tracker.Current!);
            var cut = forwarders[victim.Number - 1];

            // act: cut; the broker leaves by itself and the topic serves again from another broker
            cut.Cut();
            var cutAt = workload.Ledger.Fault($"database cut for {victim.Name} (the topic's host)");
            var exitCode = await victim.Process.WaitForExitAsync(BrokerCluster.ExitDeadline);
            var newHost = await workload.Tracker.WaitForHostAsync(BrokerCluster.StartDeadline, other: victim.Address);
            await workload.WaitForTrafficAsync(cutAt, messages: 100, BrokerCluster.StartDeadline, "delivery resumed after the database cut");

            // restarted while the cut lasts (what Kubernetes does): it waits for its journal instead of joining
            await cluster.LaunchAsync(victim);
            await victim.Process.WaitForOutputAsync("Not joining the cluster yet", BrokerCluster.StartDeadline);
            var statusWhileCut = BrokerCluster.StatusIn(client, victim.Address);
            cut.Heal();
            var healedAt = workload.Ledger.Fault($"database reachable again for {victim.Name}");
            await BrokerCluster.WaitReadyAsync(victim);
            await workload.WaitForTrafficAsync(healedAt, messages: 50, BrokerCluster.StartDeadline, "traffic after the heal");
            var figures = await workload.StopAndCheckAsync(Scenario, TimeSpan.FromSeconds(60));

            // assert
            Assert.Equal(JournalUnreachableExitCode, exitCode);
            Assert.Contains("leaving the cluster", victim.Incarnations[0].Transcript, StringComparison.Ordinal);
            Assert.NotEqual(victim.Address, newHost);
            Assert.Null(statusWhileCut);   // not a member while its database is unreachable
            Assert.True(figures.Lost.Count == 0, figures.ToString());
            Assert.True(figures.StoredTwice == 0, figures.ToString());
            Assert.True(figures.OutOfOrder == 0, figures.ToString());
            Assert.True(figures.Recoveries[0].Seconds < KillTopicHostSpec.RecoveryBoundSeconds, figures.ToString());   // before: the whole 60 s cut
        }
        finally
        {
            foreach (var forwarder in forwarders) await forwarder.DisposeAsync();
        }
    }
}
