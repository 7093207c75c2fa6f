using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using Xunit;

namespace ActorPubSub.Tests.Gateway;

/// <summary>
/// Publishes that queue up travel in batches whose receipts come back compact (PublishBatch.compact_receipts, manifest
/// tPC) across real remoting: every publish gets its own receipt, in order, with the sequence stored.
/// </summary>
public sealed class BatchedReceiptsRemoteSpec
{
    [Fact, Trait("Category", "Integration")]
    public async Task A_remote_clients_batched_publishes_should_each_get_their_own_receipt()
    {
        // arrange: a broker and a client in another ActorSystem (ClusterClient over loopback remoting)
        await using var cluster = await PubSubCluster.StartAsync(1, configure: o => o.AcceptClusterClients = true);
        await using var service = await PubSubClientHost.StartAsync(new PubSubClientOptions
        {
            ContactPoints = [cluster.Nodes[0].Address.ToString()],
        }, systemName: "service");
        await service.Client.PublishAsync("orders", "first");   // the topic is up and the route known

        // act: 2,000 publishes at once queue up and go in batches
        var receipts = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => service.Client.PublishAsync("orders", $"order-{i}")))
            .WaitAsync(TimeSpan.FromSeconds(120));

        // assert: one receipt per publish, each a distinct stored sequence, in publish order, none a duplicate
        Assert.Equal(Enumerable.Range(2, 2000).Select(i => (long)i), receipts.Select(r => r.Sequence));
        Assert.All(receipts, r => Assert.False(r.Duplicate));
        Assert.All(receipts, r => Assert.Equal("orders", r.Topic));
    }
}
