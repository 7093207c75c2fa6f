using System.Collections.Immutable;
using Akka.Actor;
using ActorPubSub.Client;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using Xunit.Abstractions;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Client;

/// <summary>
/// The resending publisher against a stand-in for the topic region (a probe): what it sends, when it
/// resends, and how receipts, rejections and timeouts complete the caller's task.
/// </summary>
[Trait("Category", "Unit")]
public sealed class PublisherActorSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit("akka.loglevel = WARNING", output)
{
    private static readonly ClientSettings Settings = new(
        ResendAfter: TimeSpan.FromMilliseconds(300), PublishTimeout: TimeSpan.FromSeconds(2), RequestTimeout: TimeSpan.FromSeconds(5),
        MaxMessageSize: 1024 * 1024);

    private (IActorRef Publisher, PublishQueue Queue) Start(IActorRef region, ClientSettings? settings = null, PublishBudget? budget = null) =>
        PublisherHarness.Start(Sys, region, settings ?? Settings, budget);

    private static Task<PublishReceipt> Enqueue(IActorRef publisher, PublishQueue queue, string topic, byte b, int bytes = 1) =>
        PublisherHarness.Enqueue(publisher, queue, topic, b, bytes);

    private static ImmutableArray<Publish> Publishes(object message) => PublisherHarness.Publishes(message);

    [Fact]
    public async Task Publisher_should_number_publishes_per_topic_and_send_them_in_order_as_a_batch()
    {
        // arrange
        var region = CreateTestProbe();
        var (publisher, queue) = Start(region);

        // act: three publishes queued before one flush
        var completion = new TaskCompletionSource<PublishReceipt>();
        for (byte i = 1; i <= 3; i++) queue.Enqueue(new PublisherActor.Send("orders", new Payload(4, "", [i]), null, null, null, completion, 1));
        publisher.Tell(PublisherActor.FlushPublishes.Instance);

        // assert
        var sent = Publishes(await region.ExpectMsgAsync<PublishBatch>());
        Assert.Equal([1L, 2, 3], sent.Select(p => p.ProducerSeq));
        Assert.All(sent, p => Assert.Equal(1, p.ProducerFloor));   // nothing confirmed yet
        Assert.Single(sent.Select(p => p.ProducerId).Distinct());
    }

    [Fact]
    public async Task Publish_without_receipt_should_be_resent_with_the_same_number_until_its_receipt_arrives()
    {
        // arrange: the region drops the first send (as a shard hand-off may)
        var region = CreateTestProbe();
        var (publisher, queue) = Start(region);
        var task = Enqueue(publisher, queue, "orders", 1);
        var first = Assert.Single(Publishes(await region.ReceiveOneAsync(TimeSpan.FromSeconds(5))!));

        // act: no receipt; after resend-after the same publish comes again
        var resent = Assert.Single(Publishes(await region.ReceiveOneAsync(TimeSpan.FromSeconds(5))!));

        // assert
        Assert.Equal((first.ProducerId, first.ProducerSeq), (resent.ProducerId, resent.ProducerSeq));
        Assert.False(task.IsCompleted);
        publisher.Tell(new PublishReceipt("orders", 41, resent.ProducerId, resent.ProducerSeq, Duplicate: true), region.Ref);
        var receipt = await task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(41, receipt.Sequence);
    }

    [Fact]
    public async Task Batched_receipts_and_rejections_should_complete_each_caller()
    {
        var region = CreateTestProbe();
        var (publisher, queue) = Start(region, Settings with { PublishBatchesInFlight = 3 });   // all three go before a receipt
        var a = Enqueue(publisher, queue, "orders", 1);
        var first = Assert.Single(Publishes(await region.ReceiveOneAsync(TimeSpan.FromSeconds(5))!));
        var b = Enqueue(publisher, queue, "orders", 2);
        var second = Assert.Single(Publishes(await region.ReceiveOneAsync(TimeSpan.FromSeconds(5))!));
        var c = Enqueue(publisher, queue, "orders", 3);
        var third = Assert.Single(Publishes(await region.ReceiveOneAsync(TimeSpan.FromSeconds(5))!));

        publisher.Tell(new PublishReceipts("orders", [
            new PublishReceipt("orders", 10, first.ProducerId, first.ProducerSeq, false),
            new PublishReceipt("orders", 11, second.ProducerId, second.ProducerSeq, false)]));
        publisher.Tell(new PublishRejected("orders", third.ProducerId, third.ProducerSeq, RejectionCode.TopicFull, "full"));

        Assert.Equal(10, (await a.WaitAsync(TimeSpan.FromSeconds(5))).Sequence);
        Assert.Equal(11, (await b.WaitAsync(TimeSpan.FromSeconds(5))).Sequence);
        var rejected = await Assert.ThrowsAsync<PubSubRejectedException>(() => c.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(RejectionCode.TopicFull, rejected.Code);
    }

    [Fact]
    public async Task Publish_that_never_gets_a_receipt_should_time_out_and_stop_holding_back_the_floor()
    {
        // arrange: nothing ever answers
        var region = CreateTestProbe();
        var (publisher, queue) = Start(region);
        var lost = Enqueue(publisher, queue, "orders", 1);

        // act
        var error = await Assert.ThrowsAsync<TimeoutException>(() => lost.WaitAsync(TimeSpan.FromSeconds(10)));

        // assert: the next publish tells the topic it no longer waits for number 1
        Assert.Contains("may or may not be stored", error.Message);
        region.ReceiveWhile(TimeSpan.FromMilliseconds(100), m => m);   // drop the resends of number 1
        _ = Enqueue(publisher, queue, "orders", 2);
        var next = await Eventually(region, p => p.ProducerSeq == 2);
        Assert.Equal(2, next.ProducerFloor);
    }

    [Fact]
    public async Task Publishes_beyond_the_batches_in_flight_should_wait_for_a_receipt_and_go_as_one_batch()
    {
        // arrange: one batch in flight at most
        var region = CreateTestProbe();
        var (publisher, queue) = Start(region, Settings with { PublishBatchesInFlight = 1, ResendAfter = TimeSpan.FromMinutes(1) });
        var first = Enqueue(publisher, queue, "orders", 1);
        var sent = Assert.Single(Publishes(await region.ReceiveOneAsync(TimeSpan.FromSeconds(5))!));

        // act: three more, each with its own flush, while the first awaits its receipt
        var later = new[] { Enqueue(publisher, queue, "orders", 2), Enqueue(publisher, queue, "orders", 3), Enqueue(publisher, queue, "orders", 4) };

        // assert: held until the receipt, then one batch in order
        await region.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        publisher.Tell(new PublishReceipt("orders", 1, sent.ProducerId, sent.ProducerSeq, false), region.Ref);
        var batch = (await region.ExpectMsgAsync<PublishBatch>(TimeSpan.FromSeconds(5))).Publishes;
        Assert.Equal([2L, 3, 4], batch.Select(p => p.ProducerSeq));
        Assert.Equal(1, (await first.WaitAsync(TimeSpan.FromSeconds(5))).Sequence);
        Assert.All(later, t => Assert.False(t.IsCompleted));
    }

    [Fact]
    public async Task Held_publishes_should_go_once_the_resent_batch_in_flight_gets_its_receipt()
    {
        // arrange: one batch in flight, whose send is lost (as in a shard hand-off)
        var region = CreateTestProbe();
        var (publisher, queue) = Start(region, Settings with { PublishBatchesInFlight = 1 });
        _ = Enqueue(publisher, queue, "orders", 1);
        Assert.Single(Publishes(await region.ReceiveOneAsync(TimeSpan.FromSeconds(5))!));
        var held = Enqueue(publisher, queue, "orders", 2);

        // act: the resend of number 1 (and not of the held number 2) comes; its receipt frees the place
        var resent = Assert.Single(Publishes(await region.ReceiveOneAsync(TimeSpan.FromSeconds(5))!));
        Assert.Equal(1, resent.ProducerSeq);
        publisher.Tell(new PublishReceipt("orders", 1, resent.ProducerId, resent.ProducerSeq, false), region.Ref);

        // assert: number 2 goes, and its receipt completes its caller
        var next = await Eventually(region, p => p.ProducerSeq == 2);
        publisher.Tell(new PublishReceipt("orders", 2, next.ProducerId, next.ProducerSeq, false), region.Ref);
        Assert.Equal(2, (await held.WaitAsync(TimeSpan.FromSeconds(5))).Sequence);
    }

    [Fact]
    public void Publish_batches_in_flight_should_be_read_from_the_client_section_and_checked()
    {
        var config = Akka.Configuration.ConfigurationFactory.ParseString(
            "client { resend-after = 2s, publish-timeout = 30s, request-timeout = 10s, publish-batches-in-flight = 5 }\ntopic.max-message-size = 1MiB");
        Assert.Equal(5, ClientSettings.Create(config).PublishBatchesInFlight);
        var zero = Akka.Configuration.ConfigurationFactory.ParseString("client.publish-batches-in-flight = 0").WithFallback(config);
        var error = Assert.Throws<Akka.Configuration.ConfigurationException>(() => ClientSettings.Create(zero));
        Assert.Contains("publish-batches-in-flight is 0; it must be at least 1", error.Message);
    }

    private static async Task<Publish> Eventually(Akka.TestKit.TestProbe region, Func<Publish, bool> match)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
            foreach (var p in Publishes(await region.ReceiveOneAsync(TimeSpan.FromSeconds(5))!))
                if (match(p)) return p;
        throw new Xunit.Sdk.XunitException("the expected publish was not sent");
    }

    [Fact]
    public async Task Every_way_a_publish_completes_should_give_its_place_in_the_budget_back()
    {
        // arrange: three publishes of 100, 200 and 300 bytes hold their places, as PubSubClient takes them
        var budget = new PublishBudget(10, 10_000);
        var region = CreateTestProbe();
        var (publisher, queue) = Start(region, Settings with { PublishTimeout = TimeSpan.FromSeconds(1) }, budget);
        Assert.True(budget.TryTake(100) && budget.TryTake(200) && budget.TryTake(300));
        var received = Enqueue(publisher, queue, "orders", 1, bytes: 100);
        var rejected = Enqueue(publisher, queue, "orders", 2, bytes: 200);
        var timedOut = Enqueue(publisher, queue, "payments", 3, bytes: 300);
        var orders = new List<Publish>();
        while (orders.Count < 2)
            orders.AddRange(Publishes(await region.FishForMessageAsync(m => Publishes(m).Any(p => p.Topic == "orders"))).Where(p => p.Topic == "orders"));

        // act: a receipt, a rejection, and no answer at all for the third until publish-timeout
        publisher.Tell(new PublishReceipt("orders", 1, orders[0].ProducerId, orders[0].ProducerSeq, Duplicate: false), region.Ref);
        publisher.Tell(new PublishRejected("orders", orders[1].ProducerId, orders[1].ProducerSeq, RejectionCode.TopicFull, "full"), region.Ref);
        await received.WaitAsync(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<PubSubRejectedException>(() => rejected.WaitAsync(TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAsync<TimeoutException>(() => timedOut.WaitAsync(TimeSpan.FromSeconds(10)));

        // assert: all places are back (the timeout's release happens before its task fails)
        Assert.Equal((0, 0L), (budget.Publishes, budget.Bytes));
    }

    [Fact]
    public void Budget_should_refuse_beyond_its_count_or_its_bytes_and_take_again_after_a_release()
    {
        var budget = new PublishBudget(maxPublishes: 3, maxBytes: 1_000);

        Assert.True(budget.TryTake(400));
        Assert.True(budget.TryTake(400));
        Assert.False(budget.TryTake(400));            // 1,200 bytes > 1,000
        Assert.True(budget.TryTake(200));             // exactly 1,000 bytes, 3 publishes
        Assert.False(budget.TryTake(1));              // a fourth publish
        Assert.Equal((3, 1_000L), (budget.Publishes, budget.Bytes));

        budget.Release(400);
        Assert.True(budget.TryTake(300));
        Assert.Equal((3, 900L), (budget.Publishes, budget.Bytes));
    }

    [Fact]
    public void Budget_should_let_one_publish_larger_than_its_bytes_through_when_it_holds_nothing()
    {
        // The size check (max-message-size) bounds one message; the budget must not make such a message unpublishable.
        var budget = new PublishBudget(maxPublishes: 10, maxBytes: 100);

        Assert.True(budget.TryTake(500));
        Assert.False(budget.TryTake(1));
    }
}
