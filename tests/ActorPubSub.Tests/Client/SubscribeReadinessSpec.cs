using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;

namespace ActorPubSub.Tests.Client;

/// <summary>SubscribeAsync returns once the topic has the consumer; WaitUntilReadyAsync says when topics can be reached.</summary>
[Trait("Category", "Integration")]
public sealed class SubscribeReadinessSpec
{
    [Fact]
    public async Task A_transient_message_published_right_after_SubscribeAsync_returns_should_be_delivered()
    {
        // arrange: a client member, so the registration crosses nodes
        await using var cluster = await PubSubCluster.StartAsync(1, clients: 1);
        var client = cluster.Clients[0].Client;
        await client.WaitUntilReadyAsync().WaitAsync(TimeSpan.FromSeconds(30));

        for (var i = 0; i < 5; i++)
        {
            // act: a fresh topic each time (its topic actor starts with the subscribe), published to at once
            var log = new DeliveryLog<string>();
            await using var sub = await client.SubscribeAsync<string>($"fresh-{i}", "s", log.Recording);
            client.PublishTransient($"fresh-{i}", "right after");

            // assert
            await Eventually.HoldsAsync(() => log.Count == 1, $"the transient message to fresh-{i} was delivered");
        }
    }

    [Fact]
    public async Task WaitUntilReady_should_wait_while_no_node_hosts_topics()
    {
        // arrange: a client member alone in its cluster, no topic node
        using var db = new TempDatabase();
        await using var lonely = await PubSubNode.StartClusterNodeAsync(
            new PubSubOptions { SqliteFile = db.File, HostTopics = false, Role = PubSubCluster.Role }, seed: null);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));

        // act / assert
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => lonely.Client.WaitUntilReadyAsync(cts.Token));
    }
}
