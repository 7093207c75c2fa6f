using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using ActorPubSub.Tests.Support.Stores;

namespace ActorPubSub.Tests.Fencing;

/// <summary>
/// Holder rows (<c>actorpubsub_topic_holder</c>) do not pile up for names that were only asked about: a topic that stops
/// with an empty journal deletes its row; a topic that wrote keeps it.
/// </summary>
[Trait("Category", "Integration")]
[Collection(PostgreSqlCollection.Name)]
public sealed class HolderRowSpec
{
    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.PostgreSql)]
    public async Task A_query_for_a_topic_that_does_not_exist_should_leave_no_holder_row(StoreKind kind)
    {
        // arrange: a topic that exists
        await using var store = await TestStore.CreateAsync(kind);
        await using var node = await PubSubNode.StartAsync(store.Apply(new PubSubOptions()), systemName: "holders");
        await node.Client.PublishAsync("orders", "kept");

        // act: queries for three names nobody created (each starts a topic, which claims it, finds nothing and stops)
        foreach (var ghost in new[] { "ghost-1", "ghost-2", "ghost-3" })
        {
            try { await node.Client.GetTopicInfoAsync(ghost); }
            catch (Exception) { /* not found is the expected answer; the row is what this test is about */ }
        }

        // assert: only the existing topic's row is left
        await Eventually.HoldsAsync(async () => await store.QueryAsync("SELECT COUNT(*) FROM actorpubsub_topic_holder"),
            rows => rows == 1, "only the existing topic holds a holder row", TimeSpan.FromSeconds(30));
        Assert.Equal(1, await store.QueryAsync("SELECT COUNT(*) FROM actorpubsub_topic_holder WHERE topic LIKE '%orders%'"));
    }
}
