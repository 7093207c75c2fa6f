using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.Remote.Hosting;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using Xunit;

namespace ActorPubSub.Tests.Gateway;

/// <summary>
/// A service outside the cluster (<c>WithActorPubSubClient</c>: Akka.Cluster.Tools' ClusterClient to the brokers'
/// receptionists) against real broker ActorSystems on loopback with a real SQLite journal.
/// </summary>
public sealed class ClusterClientSpec
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact, Trait("Category", "Integration")]
    public async Task Non_member_client_should_publish_with_receipts_and_consume_durable_and_transient_messages_without_joining()
    {
        // arrange: two brokers that accept cluster clients, and a service in an ActorSystem of another name
        await using var cluster = await PubSubCluster.StartAsync(2, configure: o => o.AcceptClusterClients = true);
        await using var service = await PubSubClientHost.StartAsync(new PubSubClientOptions
        {
            ContactPoints = [cluster.Nodes[0].Address.ToString(), cluster.Nodes[1].Address.ToString()],
            ConsumerRenewInterval = TimeSpan.FromMilliseconds(500),
        }, systemName: "service");
        var durable = new ConcurrentQueue<string>();
        var transient = new ConcurrentQueue<string>();
        await using var consumer = await service.Client.SubscribeAsync<string>("orders", "billing",
            (d, _) => { durable.Enqueue(d.Message); return Task.CompletedTask; });
        await using var live = await service.Client.SubscribeAsync<string>("prices", "live",
            (d, _) => { transient.Enqueue(d.Message); return Task.CompletedTask; });

        // act
        var receipt = await service.Client.PublishAsync("orders", "order-1");
        // A transient message reaches only a registered consumer: publish until the registration is in.
        await Eventually.HoldsAsync(async () =>
        {
            service.Client.PublishTransient("prices", "tick");
            await Task.Delay(100);
            return transient.Contains("tick");
        }, seen => seen, "a transient message reaches the non-member's consumer", Deadline);

        // assert
        Assert.True(receipt.Sequence > 0, $"the receipt names the stored sequence, was {receipt.Sequence}");
        await Eventually.HoldsAsync(() => durable.Contains("order-1"), "the non-member's durable consumer gets order-1", Deadline);
        Assert.IsNotType<ClusterActorRefProvider>(((ExtendedActorSystem)service.System).Provider);
        var serviceAddress = ((ExtendedActorSystem)service.System).Provider.DefaultAddress;
        foreach (var node in cluster.Nodes)
        {
            var members = Cluster.Get(node.System).State.Members.Select(m => m.Address).ToHashSet();
            Assert.Equal(cluster.Nodes.Select(n => n.Address).ToHashSet(), members);
            Assert.DoesNotContain(serviceAddress, members);
        }
    }

    [Fact, Trait("Category", "Integration")]
    public async Task Non_member_client_should_publish_and_consume_again_after_its_standalone_node_restarts_without_rebuilding_its_host()
    {
        // arrange: a standalone node on a fixed port and SQLite file, so that it can come back as the same node
        using var database = new TempDatabase();
        var port = FreePort();
        var node = await StartNodeAsync(database.File, port);
        await using var service = await PubSubClientHost.StartAsync(new PubSubClientOptions
        {
            ContactPoints = [$"akka.tcp://pubsub@127.0.0.1:{port}"],
            AcceptableHeartbeatPause = TimeSpan.FromSeconds(3),
            PublishResendAfter = TimeSpan.FromSeconds(1),
            ConsumerRenewInterval = TimeSpan.FromMilliseconds(500),
        });
        var received = new ConcurrentQueue<string>();
        await using var consumer = await service.Client.SubscribeAsync<string>("orders", "billing",
            (d, _) => { received.Enqueue(d.Message); return Task.CompletedTask; });
        await service.Client.PublishAsync("orders", "before");
        await Eventually.HoldsAsync(() => received.Contains("before"), "the consumer gets the message published before the restart", Deadline);

        // act: the node stops, a publish is made while it is down, the node starts again on the same port and file
        await node.DisposeAsync();
        var duringOutage = service.Client.PublishAsync("orders", "during");
        await using var restarted = await StartNodeAsync(database.File, port);

        // assert: the same client publishes again (the outage's publish waited within its timeout or failed with a
        // TimeoutException), and its durable consumer re-attached and gets what follows
        await ClientOutage.AssertServesAgainAsync(service, duringOutage, received, Deadline);
    }

    private static Task<PubSubNode> StartNodeAsync(string sqliteFile, int port) =>
        PubSubNode.StartAsync(new PubSubOptions { SqliteFile = sqliteFile, AcceptClusterClients = true, Role = PubSubCluster.Role },
            // added after WithActorPubSub: replaces its 127.0.0.1:0
            builder => builder.WithRemoting("127.0.0.1", port));

    // a loopback port free now (the node binds it for the rest of the test; never 4053 or 9110)
    private static int FreePort() => ServiceProcess.FreeLoopbackPort();
}
