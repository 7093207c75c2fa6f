using System.Net;
using Akka.Cluster.Hosting;
using Akka.Remote.Hosting;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Deployment;
using ActorPubSub.Tests.Support;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Node;

/// <summary>
/// Bad input at the edge: random bytes sent to a broker node's Akka.Remote port and to its HTTP port leave it Up and
/// serving — its health answers ready, and a client joins it and publishes and receives as before.
/// </summary>
[Trait("Category", "Integration")]
public sealed class GarbageInputSpec : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("actorpubsub-garbage-").FullName;
    private readonly TempDatabase _nodeDatabase = new();
    private readonly TempDatabase _clientDatabase = new();

    [Fact]
    public async Task Node_should_stay_Up_and_serving_after_random_bytes_on_its_remoting_and_HTTP_ports()
    {
        // arrange: a standalone node (a one-node cluster)
        await using var node = ServiceProcess.StartNode(new Dictionary<string, string>
        {
            ["ACTORPUBSUB_Node__HttpAddress"] = "127.0.0.1:0",
            ["ACTORPUBSUB_Node__SqliteFile"] = _nodeDatabase.File,
        }, _workingDirectory);
        var address = await node.AddressAsync("ActorPubSub node is Up in the cluster as", Deadline);
        var url = await node.HttpUrlAsync(Deadline);
        var remotingPort = int.Parse(address[(address.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

        // act: noise on both ports, then a bad HTTP request with a lying length
        await RandomBytes.SendAsync(new IPEndPoint(IPAddress.Loopback, remotingPort), connections: 20);
        await RandomBytes.SendAsync(new IPEndPoint(IPAddress.Loopback, url.Port), connections: 20);
        using (var http = new System.Net.Sockets.TcpClient())
        {
            await http.ConnectAsync(IPAddress.Loopback, url.Port);
            await http.GetStream().WriteAsync("POST /health/ready HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n\0\0\0"u8.ToArray());
        }
        var ready = await HealthClient.WaitForAsync(url, "/health/ready", a => a.Status == HttpStatusCode.OK, "the node is ready", Deadline);
        var log = new DeliveryLog<string>();
        await using (var client = await PubSubNode.StartAsync(
                         new PubSubOptions { StandaloneCluster = false, HostTopics = false, Role = "actorpubsub", SqliteFile = _clientDatabase.File },
                         akka => akka.WithRemoting("127.0.0.1", 0).WithClustering(new ClusterOptions { SeedNodes = [address] }),
                         systemName: "actorpubsub"))
        {
            await client.Client.CreateSubscriptionAsync("garbage-orders", "billing");
            for (var i = 1; i <= 3; i++) await client.Client.PublishAsync("garbage-orders", $"order {i}");
            await using var subscription = await client.Client.SubscribeAsync<string>("garbage-orders", "billing", log.Recording);
            await log.ReceivedAsync(3);
        }

        // assert
        Assert.False(node.HasExited);
        Assert.True(ready.CheckReady("cluster-member"), ready.ToString());
        Assert.Equal(["order 1", "order 2", "order 3"], log.All.OrderBy(d => d.Sequence).Select(d => d.Message).Distinct());
    }

    public void Dispose()
    {
        _nodeDatabase.Dispose();
        _clientDatabase.Dispose();
        Directory.Delete(_workingDirectory, recursive: true);
    }
}
