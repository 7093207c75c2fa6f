using System.Collections.Concurrent;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using ActorPubSub.Tests.Support.Processes;
using Xunit;

namespace ActorPubSub.Tests.Node;

/// <summary>
/// The broker node process serves a client outside its cluster (<c>WithActorPubSubClient</c>) by default, and that
/// client keeps its host through a kill -9 and restart of the node.
/// </summary>
[Trait("Category", "Integration")]
public sealed class NodeClusterClientSpec : IDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private readonly TempDatabase _database = new();

    [Fact]
    public async Task Non_member_client_should_publish_and_consume_again_after_the_node_process_is_killed_and_restarted()
    {
        // arrange: a standalone node process on a fixed port, and a service that is no member of its cluster
        var port = FreePort();
        var node = StartNode(port);
        await node.WaitForOutputAsync("ActorPubSub node is Up", StartDeadline);
        await using var service = await PubSubClientHost.StartAsync(new PubSubClientOptions
        {
            ContactPoints = [$"akka.tcp://actorpubsub@127.0.0.1:{port}"],
            AcceptableHeartbeatPause = TimeSpan.FromSeconds(3),
            PublishResendAfter = TimeSpan.FromSeconds(1),
            ConsumerRenewInterval = TimeSpan.FromMilliseconds(500),
        });
        var received = new ConcurrentQueue<string>();
        await using var consumer = await service.Client.SubscribeAsync<string>("orders", "billing",
            (d, _) => { received.Enqueue(d.Message); return Task.CompletedTask; });
        await service.Client.PublishAsync("orders", "before");
        await Eventually.HoldsAsync(() => received.Contains("before"), "the consumer gets the message published before the kill", Deadline);

        // act: kill -9, a publish while the node is down, the node starts again on the same port and database
        node.Signal(ServiceProcess.SigKill);
        await node.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await node.DisposeAsync();
        var duringOutage = service.Client.PublishAsync("orders", "during");
        await using var restarted = StartNode(port);
        await restarted.WaitForOutputAsync("ActorPubSub node is Up", StartDeadline);

        // assert: the same host publishes and consumes again; the outage's publish waited or failed with a timeout
        await ClientOutage.AssertServesAgainAsync(service, duringOutage, received, Deadline);
    }

    public void Dispose() => _database.Dispose();

    private NodeProcess StartNode(int port) =>
        NodeProcess.Start(new Dictionary<string, string>
        {
            // A free port for the web server: nodes of parallel tests would otherwise all take 127.0.0.1:9110.
            ["HttpAddress"] = "127.0.0.1:0",
            ["Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SqliteFile"] = _database.File,
        }, Path.GetDirectoryName(_database.File)!);

    // a loopback port free now (the node binds it for the rest of the test; never 4053 or 9110)
    private static int FreePort() => ServiceProcess.FreeLoopbackPort();
}
