using ActorPubSub.Tests.Support.Stores;
using Xunit.Abstractions;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// A rolling restart under load: each broker in turn gets SIGTERM (CoordinatedShutdown hands its shards off, the topic
/// finishing its journal write and writing pending acks first), exits with 0, starts again and is ready before the
/// next one goes — what a StatefulSet roll does. Nothing confirmed is lost and nothing is delivered twice.
/// </summary>
[Collection(FaultsCollection.Name)]
[Trait("Category", "Faults")]
public sealed class RollingRestartSpec(ITestOutputHelper output)
{
    private const string Scenario = "rolling restart of the 3 brokers (SIGTERM, graceful) under load";

    [Fact]
    public async Task Rolling_restart_under_load_should_lose_nothing_and_deliver_nothing_twice()
    {
        // arrange
        await using var cluster = await BrokerCluster.StartAsync(output, TestPostgreSql.ConnectionString);
        await using var client = await cluster.StartClientAsync();
        await using var workload = await FaultWorkload.StartAsync(client, cluster, "roll", output, TestPostgreSql.ConnectionString);

        // act: highest first, like a StatefulSet
        var exitCodes = new List<(string Broker, int ExitCode, string Transcript)>();
        foreach (var broker in cluster.Brokers.Reverse())
        {
            var stopping = broker.Process;
            var stoppedAt = workload.Ledger.Fault($"SIGTERM {broker.Name}{(broker.Address == workload.Tracker.Current ? " (the topic's host)" : "")}");
            exitCodes.Add((broker.Name, await cluster.StopGracefullyAsync(broker), stopping.Transcript));
            await cluster.StartAsync(broker);
            await workload.WaitForTrafficAsync(stoppedAt, messages: 100, BrokerCluster.StartDeadline, $"traffic after the restart of {broker.Name}");
        }
        var figures = await workload.StopAndCheckAsync(Scenario, TimeSpan.FromSeconds(60));

        // assert
        Assert.All(exitCodes, e => Assert.True(e.ExitCode == 0, $"{e.Broker} exited with {e.ExitCode}:\n{e.Transcript}"));
        Assert.True(figures.Lost.Count == 0, figures.ToString());
        Assert.True(figures.StoredTwice == 0, figures.ToString());
        Assert.True(figures.OutOfOrder == 0, figures.ToString());
        Assert.True(figures.Duplicated == 0, figures.ToString());
    }
}
