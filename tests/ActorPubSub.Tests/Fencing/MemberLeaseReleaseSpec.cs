using ActorPubSub.Fencing;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using ActorPubSub.Tests.Support.Stores;

namespace ActorPubSub.Tests.Fencing;

/// <summary>
/// A clean stop deletes the node's member lease so that a cluster started next on the same database takes its topics over
/// at once. The lease keeper runs until the ActorSystem terminates, after the release: a renewal then must not write the
/// lease again (it did, and the next cluster found the stopped node holding its topics for a TTL).
/// </summary>
[Trait("Category", "Integration")]
[Collection(PostgreSqlCollection.Name)]
public sealed class MemberLeaseReleaseSpec
{
    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.PostgreSql)]
    public async Task A_renewal_after_the_release_should_not_write_the_lease_again(StoreKind kind)
    {
        // arrange: a node whose topic claimed, so its member lease exists
        await using var store = await TestStore.CreateAsync(kind);
        await using var node = await PubSubNode.StartAsync(store.Apply(new PubSubOptions()), systemName: "leases");
        await node.Client.PublishAsync("orders", "claimed");
        var fencing = TopicFencing.For(node.System);
        var leaseRows = $"SELECT COUNT(*) FROM actorpubsub_member_lease WHERE member = '{fencing.Member}'";
        Assert.Equal(1, await store.QueryAsync(leaseRows));

        // act: the clean stop's release, then a renewal as the keeper's timer would start it
        await fencing.ReleaseMemberLeaseAsync(CancellationToken.None);
        await fencing.RenewAsync();

        // assert
        Assert.Equal(0, await store.QueryAsync(leaseRows));
    }
}
