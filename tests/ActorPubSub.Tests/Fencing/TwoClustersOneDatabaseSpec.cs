using Akka.Actor;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using ActorPubSub.Tests.Support.Stores;
using ActorPubSub.Topics;

namespace ActorPubSub.Tests.Fencing;

/// <summary>
/// Two separate clusters (two ActorSystems, each a one-node cluster of its own) on one database: a topic is live in only
/// one of them. The second refuses it with <see cref="RejectionCode.Fenced"/>, naming the first's host, while the first's
/// member lease is fresh, and takes it over (with the first's messages) once the first cluster stopped.
/// </summary>
[Trait("Category", "Integration")]
[Collection(PostgreSqlCollection.Name)]
public sealed class TwoClustersOneDatabaseSpec
{
    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.PostgreSql)]
    public async Task A_topic_should_be_live_in_one_cluster_only_and_taken_over_once_the_other_stopped(StoreKind kind)
    {
        // arrange: two clusters on one database; the topic starts in the first
        await using var store = await TestStore.CreateAsync(kind);
        var first = await PubSubNode.StartAsync(store.Apply(new PubSubOptions()), systemName: "first");
        await using var second = await PubSubNode.StartAsync(store.Apply(new PubSubOptions()), systemName: "second");
        try
        {
            var receipt = await first.Client.PublishAsync("orders", "from the first cluster");
            Assert.Equal(1, receipt.Sequence);

            // act: the second cluster publishes to the same topic while the first serves it
            var refused = await Assert.ThrowsAsync<PubSubRejectedException>(() => second.Client.PublishAsync("orders", "from the second"));
            var subscribe = await Assert.ThrowsAsync<PubSubRejectedException>(() =>
                second.Client.CreateSubscriptionAsync("orders", "audit"));

            // assert: refused with the clear error naming the first's host; nothing stored by the second
            Assert.Equal(RejectionCode.Fenced, refused.Code);
            Assert.Contains("is live in another cluster on this database", refused.Message);
            Assert.Contains(first.Address.ToString(), refused.Message);
            Assert.Contains("make the restarted nodes join the surviving cluster", refused.Message);
            Assert.Equal(RejectionCode.Fenced, subscribe.Code);
            Assert.Equal(1, (await first.Client.GetTopicInfoAsync("orders")).LastSequence);
            Assert.Equal(2, (await first.Client.PublishAsync("orders", "still the first")).Sequence);
        }
        finally
        {
            // act: the first cluster stops (a clean stop releases its member lease)
            await first.DisposeAsync();
        }

        // assert: the second takes the topic over, after the first's two messages
        var taken = await Eventually.HoldsAsync(async () =>
            {
                try { return (await second.Client.PublishAsync("orders", "from the second")).Sequence; }
                catch (PubSubRejectedException e) when (e.Code == RejectionCode.Fenced) { return 0; }
            }, sequence => sequence > 0, "the second cluster took the topic over", TimeSpan.FromSeconds(60));
        Assert.Equal(3, taken);
        Assert.Equal(1, await store.QueryAsync("SELECT COUNT(*) FROM actorpubsub_topic_holder"));
    }
}
