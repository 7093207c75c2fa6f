using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;

namespace ActorPubSub.Tests.Topics;

/// <summary>
/// A topic's limits set at runtime (ConfigureTopic): they apply at once, drop or refuse as set, are reported by the
/// topic, and survive a restart of the node.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TopicLimitsRuntimeSpec : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    private PubSubOptions Options() => new() { SqliteFile = _db.File };

    [Fact]
    public async Task Topic_set_to_drop_oldest_at_runtime_should_drop_and_count_at_once_and_refuse_once_set_back()
    {
        // arrange: node defaults without limits; 100 messages for a subscription that does not consume
        var dropOldest = new TopicLimits(0, 50, TimeSpan.Zero, WhenFull.DropOldest);
        var refuse = dropOldest with { WhenFull = WhenFull.Refuse };
        await using (var node = await PubSubNode.StartAsync(Options()))
        {
            await node.Client.CreateSubscriptionAsync("runtime", "s");
            for (var i = 1; i <= 100; i++) await node.Client.PublishAsync("runtime", i);

            // act: drop-oldest at 50 messages
            var configured = await node.Client.ConfigureTopicAsync("runtime", null, dropOldest);

            // assert: the answer says what is in effect, and the topic drops to its limit without another publish
            Assert.Equal(dropOldest, configured.Limits);
            var info = await Eventually.HoldsAsync(() => node.Client.GetTopicInfoAsync("runtime"), i => i.RetainedMessages == 50,
                "the topic dropped to its new limit of 50 messages");
            Assert.Equal((51L, 50L, 50L), (info.FirstRetained, info.Subscriptions.Single().Dropped, info.Subscriptions.Single().Pending));
            Assert.Equal(dropOldest, info.Limits);

            // act: publishers never wait at drop-oldest
            for (var i = 101; i <= 130; i++) await node.Client.PublishAsync("runtime", i);
            info = await Eventually.HoldsAsync(() => node.Client.GetTopicInfoAsync("runtime"), i => i.Subscriptions.Single().Dropped == 80,
                "the subscription counts 80 dropped messages");
            Assert.Equal((130L, 81L, 50L), (info.LastSequence, info.FirstRetained, info.RetainedMessages));

            // act: back to refusing at the same limit
            Assert.Equal(refuse, (await node.Client.ConfigureTopicAsync("runtime", null, refuse)).Limits);
            var refused = await Assert.ThrowsAsync<PubSubRejectedException>(() => node.Client.PublishAsync("runtime", 131));

            // assert
            Assert.Equal(RejectionCode.TopicFull, refused.Code);
            info = await node.Client.GetTopicInfoAsync("runtime");
            Assert.Equal((130L, 50L, 80L), (info.LastSequence, info.RetainedMessages, info.Subscriptions.Single().Dropped));
        }

        // act: the node restarts; the topic recovers its own limits
        await using (var node = await PubSubNode.StartAsync(Options()))
        {
            var info = await node.Client.GetTopicInfoAsync("runtime");
            Assert.Equal(refuse, info.Limits);
            Assert.Equal(RejectionCode.TopicFull,
                (await Assert.ThrowsAsync<PubSubRejectedException>(() => node.Client.PublishAsync("runtime", 131))).Code);
        }
    }

    [Fact]
    public async Task Invalid_limits_should_be_refused_with_what_is_allowed_and_change_nothing()
    {
        // arrange
        await using var node = await PubSubNode.StartAsync(Options());
        await node.Client.PublishAsync("checked", 1);
        var before = await node.Client.GetTopicInfoAsync("checked");

        // act
        var e = await Assert.ThrowsAsync<PubSubRejectedException>(() =>
            node.Client.ConfigureTopicAsync("checked", null, new TopicLimits(-1, 0, TimeSpan.Zero, WhenFull.Refuse)));

        // assert
        Assert.Equal(RejectionCode.Invalid, e.Code);
        Assert.Contains("Max bytes is -1; it must be 0 (no limit) or more.", e.Message, StringComparison.Ordinal);
        Assert.Equal(before.Limits, (await node.Client.GetTopicInfoAsync("checked")).Limits);
        await Assert.ThrowsAsync<ArgumentException>(() => node.Client.ConfigureTopicAsync("checked", null, null));
    }
}
