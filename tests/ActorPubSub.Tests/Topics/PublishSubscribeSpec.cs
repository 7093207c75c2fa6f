using System.Collections.Concurrent;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Topics;

/// <summary>Publish, deliver and ack on one embedded node with a real SQLite journal.</summary>
[Trait("Category", "Integration")]
public sealed class PublishSubscribeSpec : NodeSpec
{
    [Fact]
    public async Task Publish_should_be_persisted_then_delivered_and_acked()
    {
        // arrange
        var pubsub = Node.Client;
        var log = new DeliveryLog<string>();
        await using var sub = await pubsub.SubscribeAsync<string>("orders", "billing", log.Recording);

        // act
        var receipt = await pubsub.PublishAsync("orders", "order #1");

        // assert
        Assert.Equal(1, receipt.Sequence);
        Assert.False(receipt.Duplicate);
        await log.ReceivedAsync(1);
        var delivery = Assert.Single(log.All);
        Assert.Equal(("orders", "billing", 1L, 1, "order #1"),
            (delivery.Topic, delivery.Subscription, delivery.Sequence, delivery.Attempt, delivery.Message));
        var info = await Eventually.HoldsAsync(() => pubsub.GetTopicInfoAsync("orders"),
            i => i.Subscriptions.Single().Watermark == 1, "the subscription acknowledged message 1");
        Assert.Equal(0, info.Subscriptions.Single().Pending);
        Assert.Equal(0, info.RetainedMessages);   // acked by its only subscription: dropped
    }

    [Fact]
    public async Task Publish_should_carry_key_headers_and_message_id_to_the_handler()
    {
        var log = new DeliveryLog<string>();
        await using var sub = await Node.Client.SubscribeAsync<string>("meta", "s", log.Recording);

        await Node.Client.PublishAsync("meta", "body", new PublishOptions
        {
            Key = "customer-7",
            MessageId = "m-1",
            Headers = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("type", "order.created"),
        });

        await log.ReceivedAsync(1);
        var d = Assert.Single(log.All);
        Assert.Equal("customer-7", d.Key);
        Assert.Equal("m-1", d.MessageId);
        Assert.Equal("order.created", d.Headers!["type"]);
    }

    [Fact]
    public async Task Every_subscription_should_receive_every_message()
    {
        // arrange: three subscriptions of one topic
        const int count = 200;
        var logs = Enumerable.Range(0, 3).Select(_ => new DeliveryLog<int>()).ToArray();
        var subs = new List<ISubscription>();
        for (var i = 0; i < logs.Length; i++)
            subs.Add(await Node.Client.SubscribeAsync<int>("fanout", $"sub-{i}", logs[i].Recording));

        // act
        await Task.WhenAll(Enumerable.Range(1, count).Select(i => Node.Client.PublishAsync("fanout", i)));

        // assert
        foreach (var log in logs)
        {
            await log.ReceivedAsync(count);
            Assert.Equal(Enumerable.Range(1, count).ToHashSet(), log.All.Select(d => d.Message).ToHashSet());
        }
        foreach (var s in subs) await s.DisposeAsync();
    }

    [Fact]
    public async Task Competing_consumers_should_share_a_subscription_without_loss()
    {
        // arrange: two consumers of one subscription with small windows and slow handlers, so both get work
        const int count = 300;
        var byConsumer = new[] { new ConcurrentBag<long>(), new ConcurrentBag<long>() };
        var options = new ConsumerOptions { MaxInFlight = 5 };
        var subs = new List<ISubscription>();
        for (var c = 0; c < 2; c++)
        {
            var mine = byConsumer[c];
            subs.Add(await Node.Client.SubscribeAsync<int>("work", "workers", async (d, ct) =>
            {
                await Task.Delay(2, ct);
                mine.Add(d.Sequence);
            }, null, options));
        }

        // act
        await Task.WhenAll(Enumerable.Range(1, count).Select(i => Node.Client.PublishAsync("work", i)));

        // assert: every message processed, by one consumer or the other, and both took part
        await Eventually.HoldsAsync(() => byConsumer.SelectMany(b => b).Distinct().Count() == count,
            $"all {count} messages were processed");
        Assert.All(byConsumer, b => Assert.NotEmpty(b));
        var info = await Eventually.HoldsAsync(() => Node.Client.GetTopicInfoAsync("work"),
            i => i.Subscriptions.Single().Watermark == count, "every message was acknowledged");
        Assert.Equal(2, info.Subscriptions.Single().Consumers);
        foreach (var s in subs) await s.DisposeAsync();
    }

    [Fact]
    public async Task Unacked_delivery_should_come_back_after_the_ack_deadline_with_attempt_2()
    {
        // arrange: the first attempt hangs until its handler timeout cancels it; the ack deadline is shorter, so the
        // redelivery comes while it still runs, and waits for it (a consumer never runs one message twice at once)
        var attempts = new ConcurrentQueue<int>();
        var options = new SubscriptionOptions { AckDeadline = TimeSpan.FromMilliseconds(500) };
        await using var sub = await Node.Client.SubscribeAsync<string>("slow", "s", async (d, ct) =>
        {
            attempts.Enqueue(d.Attempt);
            if (d.Attempt == 1) await Task.Delay(Timeout.Infinite, ct);
        }, options, new ConsumerOptions { HandlerTimeout = TimeSpan.FromSeconds(3) });

        // act
        await Node.Client.PublishAsync("slow", "hang once");

        // assert
        await Eventually.HoldsAsync(() => attempts.Contains(2), "the message was delivered a second time");
        Assert.Equal([1, 2], attempts.Take(2));
        await Eventually.HoldsAsync(() => Node.Client.GetTopicInfoAsync("slow"),
            i => i.Subscriptions.Single().Watermark == 1, "the second attempt was acknowledged");
    }

    [Fact]
    public async Task Failing_handler_should_be_retried_until_it_succeeds()
    {
        var attempts = new ConcurrentQueue<int>();
        await using var sub = await Node.Client.SubscribeAsync<string>("flaky", "s", (d, _) =>
        {
            attempts.Enqueue(d.Attempt);
            return d.Attempt < 3 ? throw new InvalidOperationException("not yet") : Task.CompletedTask;
        });

        await Node.Client.PublishAsync("flaky", "x");

        await Eventually.HoldsAsync(() => Node.Client.GetTopicInfoAsync("flaky"),
            i => i.Subscriptions.Single().Watermark == 1, "the third attempt was acknowledged");
        Assert.Equal([1, 2, 3], attempts);
    }

    [Fact]
    public async Task Subscription_from_earliest_should_receive_what_was_published_before_it()
    {
        // arrange: a topic without subscriptions keeps what it is given
        for (var i = 1; i <= 5; i++) await Node.Client.PublishAsync("history", i);
        var earliest = new DeliveryLog<int>();
        var latest = new DeliveryLog<int>();

        // act
        await using var a = await Node.Client.SubscribeAsync<int>("history", "from-start", earliest.Recording,
            new SubscriptionOptions { Start = StartPosition.Earliest });
        await using var b = await Node.Client.SubscribeAsync<int>("history", "from-now", latest.Recording,
            new SubscriptionOptions { Start = StartPosition.Latest });
        await Node.Client.PublishAsync("history", 6);

        // assert
        await earliest.ReceivedAsync(6);
        await latest.ReceivedAsync(1);
        Assert.Equal([1, 2, 3, 4, 5, 6], earliest.All.Select(d => d.Message).Order());
        Assert.Equal(6, Assert.Single(latest.All).Message);
    }

    [Fact]
    public async Task Deleted_subscription_should_stop_its_consumer_and_receive_nothing_more()
    {
        var log = new DeliveryLog<int>();
        var sub = await Node.Client.SubscribeAsync<int>("deletions", "gone", log.Recording);
        await Node.Client.PublishAsync("deletions", 1);
        await log.ReceivedAsync(1);

        var deleted = await Node.Client.DeleteSubscriptionAsync("deletions", "gone");

        Assert.True(deleted.Existed);
        var error = await Assert.ThrowsAsync<PubSubRejectedException>(() => sub.Completion.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(RejectionCode.UnknownSubscription, error.Code);
        var info = await Node.Client.GetTopicInfoAsync("deletions");
        Assert.Empty(info.Subscriptions);
        Assert.False((await Node.Client.DeleteSubscriptionAsync("deletions", "gone")).Existed);
    }
}
