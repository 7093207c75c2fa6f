using System.Globalization;
using System.Net;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Deployment;

/// <summary>
/// A lighthouse and a broker node as real processes on loopback, joined through <c>CLUSTER_SEEDS</c> like the
/// Kubernetes manifests do: the node is live at once, ready only once it is Up (so not while its seed is missing), the
/// cluster serves a client that joins through the lighthouse, and both leave with exit code 0 on SIGTERM.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ClusterFormationSpec : IDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(60);
    private readonly TempDatabase _nodeDatabase = new();
    private readonly TempDatabase _clientDatabase = new();
    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("actorpubsub-cluster-").FullName;

    [Fact]
    public async Task Node_should_join_the_lighthouse_through_CLUSTER_SEEDS_and_be_ready_only_once_Up()
    {
        // arrange: the node's seed is a lighthouse that does not run yet
        var lighthousePort = ServiceProcess.FreeLoopbackPort();
        var (clusterPort, nodePort) = (ServiceProcess.FreeLoopbackPort(), ServiceProcess.FreeLoopbackPort());
        var seed = $"akka.tcp://actorpubsub@127.0.0.1:{lighthousePort}";
        await using var node = ServiceProcess.StartNode(new Dictionary<string, string>
        {
            ["CLUSTER_SEEDS"] = seed,
            ["CLUSTER_IP"] = "127.0.0.1",
            // The node's own variable wins over the image-style one.
            ["CLUSTER_PORT"] = clusterPort.ToString(CultureInfo.InvariantCulture),
            ["ACTORPUBSUB_Node__Port"] = nodePort.ToString(CultureInfo.InvariantCulture),
            ["ACTORPUBSUB_Node__HttpAddress"] = "127.0.0.1:0",
            ["ACTORPUBSUB_Node__SqliteFile"] = _nodeDatabase.File,
            // The cluster's only broker node.
            ["ACTORPUBSUB_Node__AllowSqliteInCluster"] = "true",
        }, _workingDirectory);
        var listening = await node.WaitForOutputAsync("ActorPubSub node listening on", StartDeadline);
        var nodeUrl = await node.HttpUrlAsync(StartDeadline);

        // act 1: no lighthouse yet
        var liveAlone = await HealthClient.GetAsync(nodeUrl, "/health/live");
        var readyAlone = await HealthClient.GetAsync(nodeUrl, "/health/ready");

        // act 2: the lighthouse starts on the seed address
        await using var lighthouse = ServiceProcess.StartLighthouse(new Dictionary<string, string>
        {
            ["CLUSTER_IP"] = "127.0.0.1",
            ["CLUSTER_PORT"] = lighthousePort.ToString(CultureInfo.InvariantCulture),
            ["ACTORPUBSUB_Lighthouse__HttpAddress"] = "127.0.0.1:0",
        }, _workingDirectory);
        var lighthouseUp = await lighthouse.AddressAsync("Lighthouse is Up in the cluster as", StartDeadline);
        var lighthouseUrl = await lighthouse.HttpUrlAsync(StartDeadline);
        var ready = await HealthClient.WaitForAsync(nodeUrl, "/health/ready", a => a.Status == HttpStatusCode.OK,
            "the node is ready", StartDeadline);
        var lighthouseReady = await HealthClient.GetAsync(lighthouseUrl, "/health/ready");

        // act 3: a client joins through the lighthouse and uses the node's topics
        var log = new DeliveryLog<string>();
        await using (var client = await PubSubNode.StartClientAsync(seed, new PubSubOptions { SqliteFile = _clientDatabase.File }, "actorpubsub"))
        {
            await client.Client.CreateSubscriptionAsync("deploy-orders", "billing");
            for (var i = 1; i <= 3; i++) await client.Client.PublishAsync("deploy-orders", $"order {i}");
            await using var subscription = await client.Client.SubscribeAsync<string>("deploy-orders", "billing", log.Recording);
            await log.ReceivedAsync(3);
        }

        // act 4: graceful leave
        node.Signal(ServiceProcess.SigTerm);
        var nodeExit = await node.WaitForExitAsync(ExitDeadline);
        lighthouse.Signal(ServiceProcess.SigTerm);
        var lighthouseExit = await lighthouse.WaitForExitAsync(ExitDeadline);

        // assert
        Assert.Contains($"listening on akka.tcp://actorpubsub@127.0.0.1:{nodePort} (bound to 127.0.0.1)", listening, StringComparison.Ordinal);
        Assert.Contains($"mode: cluster (seed nodes {seed})", listening, StringComparison.Ordinal);
        Assert.Contains("split brain resolver: keep-majority", listening, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, liveAlone.Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyAlone.Status);
        Assert.False(readyAlone.CheckReady("cluster-member"), readyAlone.ToString());
        Assert.Equal(seed, lighthouseUp);
        Assert.True(ready.CheckReady("cluster-member") & ready.CheckReady("journal") & ready.CheckReady("topics"), ready.ToString());
        Assert.Equal(HttpStatusCode.OK, lighthouseReady.Status);
        Assert.Equal(["order 1", "order 2", "order 3"], log.All.OrderBy(d => d.Sequence).Select(d => d.Message).Distinct());
        Assert.True(nodeExit == 0, $"node exit code {nodeExit}:\n{node.Transcript}");
        Assert.True(lighthouseExit == 0, $"lighthouse exit code {lighthouseExit}:\n{lighthouse.Transcript}");
    }

    public void Dispose()
    {
        _nodeDatabase.Dispose();
        _clientDatabase.Dispose();
        Directory.Delete(_workingDirectory, recursive: true);
    }
}
