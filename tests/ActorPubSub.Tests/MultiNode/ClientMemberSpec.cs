using ActorPubSub.Tests.Support;
using ActorPubSub.Tests.Support.Stores;

namespace ActorPubSub.Tests.MultiNode;

/// <summary>
/// A cluster of two topic nodes on PostgreSQL and a client member that hosts no topics: the client creates, publishes
/// to and consumes a topic that lives on one of the nodes and is written to the cluster's database.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
[Trait("Category", "MultiNode")]
public sealed class ClientMemberSpec : IAsyncLifetime
{
    private PubSubCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await PubSubCluster.StartAsync(2, StoreKind.PostgreSql, clients: 1);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Client_member_should_publish_and_consume_topics_hosted_on_the_nodes()
    {
        // arrange
        var client = Assert.Single(_cluster.Clients);
        await client.Client.CreateSubscriptionAsync("orders", "billing");
        var log = new DeliveryLog<string>();
        await using var subscription = await client.Client.SubscribeAsync<string>("orders", "billing", log.Recording);

        // act
        var receipts = await Task.WhenAll(Enumerable.Range(1, 10).Select(i => client.Client.PublishAsync("orders", $"order {i}")));

        // assert
        await log.ReceivedAsync(10);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), receipts.Select(r => r.Sequence).Order());
        Assert.Contains(await _cluster.HostOfAsync("orders"), _cluster.Nodes);
        Assert.True(await _cluster.Store.QueryAsync("SELECT COUNT(*) FROM journal WHERE persistence_id = 'topic:orders'") > 0,
            "the topic wrote nothing to the cluster's database");
    }
}
