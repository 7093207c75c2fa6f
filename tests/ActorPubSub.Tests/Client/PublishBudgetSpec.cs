using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;

namespace ActorPubSub.Tests.Client;

/// <summary>
/// The client's bound on durable publishes it holds (<c>actorpubsub.client.max-outstanding-publishes</c>): a caller that
/// starts publishes without awaiting them, against topics that do not answer, gets a clear refusal at the bound instead of a
/// client whose memory grows until publish-timeout.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PublishBudgetSpec
{
    [Fact]
    public async Task PublishAsync_beyond_the_bound_should_fail_at_once_naming_it_and_publish_again_once_places_come_back()
    {
        // arrange: a client member alone in its cluster (no node hosts topics, so no receipt ever comes), bound 10
        using var db = new TempDatabase();
        await using var lonely = await PubSubNode.StartClusterNodeAsync(new PubSubOptions
        {
            SqliteFile = db.File, HostTopics = false, Role = PubSubCluster.Role, MaxOutstandingPublishes = 10,
            ExtraHocon = "actorpubsub.client.publish-timeout = 3s",
        }, seed: null);
        var held = Enumerable.Range(0, 10).Select(i => lonely.Client.PublishAsync("orders", $"m{i}")).ToList();

        // act
        var refused = lonely.Client.PublishAsync("orders", "one too many");

        // assert: refused at once with the bound named; the ten held wait for their receipts
        Assert.True(refused.IsFaulted, "the eleventh publish failed without waiting");
        var error = await Assert.ThrowsAsync<PubSubRejectedException>(() => refused);
        Assert.Equal(RejectionCode.TopicFull, error.Code);
        Assert.Contains("max-outstanding-publishes = 10", error.Message);
        Assert.All(held, t => Assert.False(t.IsCompleted));

        // act: the ten time out (publish-timeout), which gives their places back
        foreach (var t in held) await Assert.ThrowsAsync<TimeoutException>(() => t.WaitAsync(TimeSpan.FromSeconds(30)));
        var again = lonely.Client.PublishAsync("orders", "after the timeouts");

        // assert: taken again (it waits for its receipt instead of failing at once)
        Assert.False(again.IsFaulted, again.Exception?.InnerException?.Message);
        await Assert.ThrowsAsync<TimeoutException>(() => again.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task PublishAsync_beyond_the_byte_bound_should_fail_at_once_naming_it()
    {
        // arrange: 10 KB of held publishes at most; each publish below is about 4 KB
        using var db = new TempDatabase();
        await using var lonely = await PubSubNode.StartClusterNodeAsync(new PubSubOptions
        {
            SqliteFile = db.File, HostTopics = false, Role = PubSubCluster.Role, MaxOutstandingPublishBytes = 10_000,
        }, seed: null);
        var payload = new byte[4_000];
        var first = lonely.Client.PublishAsync("orders", payload);
        var second = lonely.Client.PublishAsync("orders", payload);

        // act
        var third = lonely.Client.PublishAsync("orders", payload);

        // assert
        Assert.False(first.IsCompleted || second.IsCompleted);
        var error = await Assert.ThrowsAsync<PubSubRejectedException>(() => third);
        Assert.Contains("max-outstanding-publish-bytes = 10000", error.Message);
    }
}
