using Akka.Cluster;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;

namespace ActorPubSub.Tests.Client;

/// <summary>
/// No IPubSub call waits forever: once the ActorSystem terminates, or the member is downed, every call (waiting ones too)
/// fails with a PubSubUnavailableException saying why, and the host still stops.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ClientTerminationSpec
{
    /// <summary>Bounds the wait for a call to fail; the failure itself comes within milliseconds.</summary>
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Every_call_after_the_ActorSystem_terminated_should_fail_at_once_and_the_host_should_still_stop()
    {
        // arrange
        using var db = new TempDatabase();
        var node = await PubSubNode.StartAsync(new PubSubOptions { SqliteFile = db.File });
        await node.Client.PublishAsync("t", "before");

        // act
        await node.System.Terminate().WaitAsync(Soon);

        // assert: each call fails naming the reason instead of waiting
        var publish = await Assert.ThrowsAsync<PubSubUnavailableException>(() => Within(() => node.Client.PublishAsync("t", "after")));
        Assert.Matches("terminated|shutting down", publish.Message);
        await Assert.ThrowsAsync<PubSubUnavailableException>(() => Within(() => node.Client.GetTopicInfoAsync("t")));
        await Assert.ThrowsAsync<PubSubUnavailableException>(() => Within(() => node.Client.CreateSubscriptionAsync("t", "s")));
        await Assert.ThrowsAsync<PubSubUnavailableException>(() => Within(() =>
            node.Client.SubscribeAsync<string>("t", "s", (_, _) => Task.CompletedTask)));
        await Assert.ThrowsAsync<PubSubUnavailableException>(() => Within(() => node.Client.WaitUntilReadyAsync()));
        Assert.Throws<PubSubUnavailableException>(() => node.Client.PublishTransient("t", "after"));
        await node.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_publish_waiting_for_its_receipt_should_fail_when_the_client_system_terminates()
    {
        // arrange: a client member whose only topic node is gone, so its publish waits for a receipt
        await using var cluster = await PubSubCluster.StartAsync(1, clients: 1);
        var client = cluster.Clients[0];
        await client.Client.PublishAsync("t", "warm-up");
        await cluster.Nodes[0].System.Terminate().WaitAsync(Soon);
        var waiting = client.Client.PublishAsync("t", "never confirmed");
        Assert.False(waiting.IsCompleted);

        // act
        await client.System.Terminate().WaitAsync(Soon);

        // assert
        var error = await Assert.ThrowsAsync<PubSubUnavailableException>(() => waiting.WaitAsync(Soon));
        Assert.Contains("may or may not be stored", error.Message + (error.InnerException?.Message ?? ""), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_member_client_that_is_downed_should_fail_every_call_saying_so()
    {
        // arrange
        await using var cluster = await PubSubCluster.StartAsync(1, clients: 1);
        var client = cluster.Clients[0];
        await client.Client.PublishAsync("t", "before");

        // act: the topic node downs the client (as a Split Brain Resolver would)
        Cluster.Get(cluster.Nodes[0].System).Down(client.Address);

        // assert
        var error = await Eventually.HoldsAsync(async () =>
        {
            try
            {
                await Within(() => client.Client.PublishAsync("t", "after"));
                return null;
            }
            catch (PubSubUnavailableException e)
            {
                return e;
            }
        }, e => e is not null, "a publish of the downed client fails with PubSubUnavailableException", TimeSpan.FromSeconds(60));
        Assert.Matches("downed|terminated|shutting down", error!.Message);
        await Assert.ThrowsAsync<PubSubUnavailableException>(() => Within(() => client.Client.GetTopicInfoAsync("t")));
    }

    /// <summary>Runs a call (a synchronous throw counts as its failure) and fails the test when it has not completed soon.</summary>
    private static async Task Within(Func<Task> call) => await Task.Run(call).WaitAsync(Soon);
}
