using System.Collections.Immutable;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Delivery;

/// <summary>
/// Subscription header filters on a real topic: only matching messages are delivered, the others count as
/// acknowledged; from Earliest, after a restart, and the checks at creation (client, topic, conflicts).
/// </summary>
[Trait("Category", "Integration")]
public sealed class FilterSpec : RestartableNodeSpec
{
    /// <summary>The headers of messages 1..8 (sequence = index + 1), published in this order.</summary>
    private static readonly ImmutableArray<ImmutableDictionary<string, string>?> Messages =
    [
        Headers(("type", "order.created"), ("region", "eu"), ("amount", "10")),                          // 1
        Headers(("type", "order.created"), ("region", "us"), ("amount", "250")),                         // 2
        Headers(("type", "order.cancelled"), ("region", "eu")),                                          // 3
        Headers(("type", "order.created"), ("region", "apac"), ("customer", "test-1"), ("amount", "abc")), // 4
        null,                                                                                            // 5: no headers
        ImmutableDictionary<string, string>.Empty,                                                       // 6: empty headers
        Headers(("content type", "json"), ("type", "invoice.paid")),                                     // 7
        Headers(("type", "order.created"), ("region", "eu"), ("customer", "test-9"), ("amount", "99.5")), // 8
    ];

    public static TheoryData<string, long[]> Matrix => new()
    {
        { "type = \"order.created\"", [1, 2, 4, 8] },
        { "type = \"order.created\" AND region IN (\"eu\", \"us\")", [1, 2, 8] },
        // a missing header differs from every value
        { "region != \"eu\"", [2, 4, 5, 6, 7] },
        { "exists(region) AND region != \"eu\"", [2, 4] },
        { "region NOT IN (\"eu\", \"us\")", [4, 5, 6, 7] },
        { "NOT hasPrefix(customer, \"test-\")", [1, 2, 3, 5, 6, 7] },
        // numeric: only values that parse as numbers compare
        { "amount > 50", [2, 8] },
        { "`content type` = \"json\"", [7] },
        { "hasSuffix(type, \".paid\") OR region = \"apac\"", [4, 7] },
        { "(contains(type, \"order\") AND NOT region = \"eu\") OR NOT exists(type)", [2, 4, 5, 6] },
        { "type = \"shipment.sent\"", [] },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Subscription_should_deliver_exactly_the_messages_its_filter_matches(string filter, long[] expected)
    {
        // arrange
        var log = new DeliveryLog<int>();
        await using var sub = await Node.Client.SubscribeAsync<int>("filtered", "s", log.Recording, new SubscriptionOptions { Filter = filter });

        // act
        await PublishAllAsync("filtered");

        // assert: the matching ones delivered once each; the others count as acknowledged (nothing pending)
        await AssertDeliveredExactlyAsync(log, "filtered", expected);
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Subscription_from_earliest_should_filter_the_messages_published_before_it(string filter, long[] expected)
    {
        // arrange: a topic without subscriptions keeps its messages
        await PublishAllAsync("history");

        // act
        var log = new DeliveryLog<int>();
        await using var sub = await Node.Client.SubscribeAsync<int>("history", "s", log.Recording,
            new SubscriptionOptions { Filter = filter, Start = StartPosition.Earliest });

        // assert
        await AssertDeliveredExactlyAsync(log, "history", expected);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Filter_should_survive_a_restart(bool fromSnapshot)
    {
        // arrange: a filtered subscription, messages 1..8 consumed; with snapshots after every write, the
        // restarted topic recovers from a snapshot instead of replaying its journal
        const string filter = "type = \"order.created\" AND region IN (\"eu\", \"us\")";
        if (fromSnapshot) await RestartNodeAsync(new PubSubOptions { ExtraHocon = "actorpubsub.topic.min-snapshot-bytes = 1b" });
        var before = new DeliveryLog<int>();
        await using (var sub = await Node.Client.SubscribeAsync<int>("restarted", "s", before.Recording, new SubscriptionOptions { Filter = filter }))
        {
            await PublishAllAsync("restarted");
            await AssertDeliveredExactlyAsync(before, "restarted", [1, 2, 8]);
        }
        if (fromSnapshot)
            await Eventually.HoldsAsync(() => QueryAsync("SELECT COUNT(*) FROM snapshot WHERE persistence_id = 'topic:restarted'"),
                rows => rows > 0, "the topic took a snapshot");

        // act
        await RestartNodeAsync();

        // assert: the subscription kept its filter and its position (what the filter refused after the last ack is
        // looked at again as the consumer's cursor passes it, without delivering it); messages 9..16 (the same
        // header sets) are filtered the same, for a consumer that does not repeat the filter
        var info = await Node.Client.GetTopicInfoAsync("restarted");
        Assert.Equal(filter, info.Subscriptions.Single().Filter);
        var after = new DeliveryLog<int>();
        await using var resumed = await Node.Client.SubscribeAsync<int>("restarted", "s", after.Recording);
        await Eventually.HoldsAsync(() => Node.Client.GetTopicInfoAsync("restarted"),
            i => (i.Subscriptions.Single().Watermark, i.Subscriptions.Single().Pending) == (8L, 0L), "the position is 8 with nothing pending");
        Assert.Empty(after.All);
        await PublishAllAsync("restarted");
        await AssertDeliveredExactlyAsync(after, "restarted", [9, 10, 16]);
    }

    [Fact]
    public async Task Seek_back_on_a_filtered_subscription_should_replay_only_the_matching_messages()
    {
        // arrange: acknowledged messages are kept (retention), the matching ones consumed once
        const string filter = "type = \"order.created\"";
        await Node.Client.CreateSubscriptionAsync("replayed", "s", new SubscriptionOptions { Filter = filter });
        await Node.Client.ConfigureTopicAsync("replayed", new TopicRetention(TimeSpan.FromDays(1), 1000));
        var log = new DeliveryLog<int>();
        await using var sub = await Node.Client.SubscribeAsync<int>("replayed", "s", log.Recording);
        await PublishAllAsync("replayed");
        await AssertDeliveredExactlyAsync(log, "replayed", [1, 2, 4, 8], retained: 8);

        // act
        await Node.Client.SeekAsync("replayed", "s", 2);

        // assert: 2, 4 and 8 again (as first attempts); the others stay filtered out
        await Eventually.HoldsAsync(() => log.Count >= 7, "the matching messages from 2 on were delivered again");
        await AssertDeliveredExactlyAsync(log, "replayed", [1, 2, 2, 4, 4, 8, 8], retained: 8);
    }

    [Theory]
    [InlineData("type = AND x", 7)]
    [InlineData("(type = \"x\"", 11)]
    [InlineData("region IN (\"eu\" \"us\")", 16)]
    public async Task Malformed_filter_should_be_rejected_by_the_client_naming_the_position(string filter, int position)
    {
        // act
        var subscribe = await Assert.ThrowsAsync<ArgumentException>(() =>
            Node.Client.SubscribeAsync<int>("malformed", "s", (_, _) => Task.CompletedTask, new SubscriptionOptions { Filter = filter }));
        var create = await Assert.ThrowsAsync<ArgumentException>(() =>
            Node.Client.CreateSubscriptionAsync("malformed", "s", new SubscriptionOptions { Filter = filter }));

        // assert: both name the position; nothing was created
        Assert.Contains($"position {position}", subscribe.Message);
        Assert.Contains($"position {position}", create.Message);
        var info = await Node.Client.GetTopicInfoAsync("malformed");
        Assert.False(info.Exists);
        Assert.Empty(info.Subscriptions);
    }

    [Theory]
    [InlineData("type = AND x", 7)]
    [InlineData("(type = \"x\"", 11)]
    [InlineData("region IN (\"eu\" \"us\")", 16)]
    public async Task Malformed_filter_should_be_rejected_by_the_topic_naming_the_position(string filter, int position)
    {
        // arrange: straight to the topic, past the client's check
        var probe = Kit.CreateTestProbe();

        // act
        Node.Region.Tell(new CreateSubscription("malformed-actor", "s", StartPosition.Earliest, TimeSpan.Zero, Filter: filter), probe.Ref);

        // assert
        var rejected = await probe.ExpectMsgAsync<CommandRejected>(TimeSpan.FromSeconds(20));
        Assert.Equal((RejectionCode.Invalid, nameof(CreateSubscription), "s"), (rejected.Code, rejected.Command, rejected.Subscription));
        Assert.Contains($"position {position}", rejected.Reason);
        Assert.Empty((await Node.Client.GetTopicInfoAsync("malformed-actor")).Subscriptions);
    }

    [Fact]
    public async Task Creating_the_same_subscription_with_another_filter_should_conflict()
    {
        // arrange
        const string filter = "type = \"order.created\"";
        var created = await Node.Client.CreateSubscriptionAsync("conflicts", "s", new SubscriptionOptions { Filter = filter });
        Assert.False(created.AlreadyExisted);
        await Node.Client.CreateSubscriptionAsync("conflicts", "plain");

        // act
        var sameFilter = await Node.Client.CreateSubscriptionAsync("conflicts", "s", new SubscriptionOptions { Filter = filter });
        var unset = await Node.Client.CreateSubscriptionAsync("conflicts", "s");
        var other = await Assert.ThrowsAsync<PubSubRejectedException>(() =>
            Node.Client.CreateSubscriptionAsync("conflicts", "s", new SubscriptionOptions { Filter = "type = \"order.cancelled\"" }));
        var added = await Assert.ThrowsAsync<PubSubRejectedException>(() =>
            Node.Client.CreateSubscriptionAsync("conflicts", "plain", new SubscriptionOptions { Filter = filter }));

        // assert: the same or no filter confirms the subscription; another filter, or one added later, conflicts
        Assert.True(sameFilter.AlreadyExisted);
        Assert.True(unset.AlreadyExisted);
        Assert.Equal(RejectionCode.Conflict, other.Code);
        Assert.Contains(filter, other.Message);
        Assert.Equal(RejectionCode.Conflict, added.Code);
        var info = await Node.Client.GetTopicInfoAsync("conflicts");
        Assert.Equal(filter, info.Subscriptions.Single(s => s.Name == "s").Filter);
        Assert.Null(info.Subscriptions.Single(s => s.Name == "plain").Filter);
    }

    /// <summary>Publishes the 8 header sets one by one (message i+1 carries <see cref="Messages"/>[i]; its body is its index).</summary>
    private async Task PublishAllAsync(string topic)
    {
        for (var i = 0; i < Messages.Length; i++)
            await Node.Client.PublishAsync(topic, i, new PublishOptions { Headers = Messages[i] });
    }

    /// <summary>
    /// Waits until the subscription acknowledged everything published (filtered messages count as acknowledged,
    /// matching ones once the handler acked them), then checks each matching message was delivered exactly once.
    /// </summary>
    private async Task AssertDeliveredExactlyAsync(DeliveryLog<int> log, string topic, long[] expected, int retained = 0)
    {
        var last = (await Node.Client.GetTopicInfoAsync(topic)).LastSequence;
        var info = await Eventually.HoldsAsync(() => Node.Client.GetTopicInfoAsync(topic),
            i => i.Subscriptions.Single() is var s && s.Watermark == last && s.Pending == 0 && s.InFlight == 0,
            $"every message up to {last} counts as acknowledged");
        Assert.Equal(expected, log.All.Select(d => d.Sequence).Order());
        Assert.All(log.All, d => Assert.Equal(1, d.Attempt));   // a replay after a seek starts afresh too
        Assert.All(log.All, d => Assert.Equal(Messages[(int)((d.Sequence - 1) % Messages.Length)], d.Headers));
        Assert.Equal(retained, info.RetainedMessages);   // without retention, nothing is kept once acknowledged
    }

    private static ImmutableDictionary<string, string> Headers(params (string Key, string Value)[] headers) =>
        headers.ToImmutableDictionary(h => h.Key, h => h.Value);
}
