using Akka.Actor;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Client;

/// <summary>
/// Transient publish is flow-controlled end to end: a consumer that keeps up loses nothing, a publisher ahead of its
/// consumer waits (or drops or fails, as the call asks), and what is dropped is counted.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TransientFlowControlSpec
{
    [Fact]
    public async Task Every_transient_message_should_reach_a_consumer_in_another_ActorSystem_that_keeps_up()
    {
        // arrange: the consumer on the topic node, the publisher a client member (another ActorSystem, over loopback)
        const int sent = 200_000;
        await using var cluster = await PubSubCluster.StartAsync(1, clients: 1);
        var received = 0;
        await using var sub = await cluster.Nodes[0].Client.SubscribeAsync<int>("firehose", "all", (_, _) =>
        {
            Interlocked.Increment(ref received);
            return Task.CompletedTask;
        });
        var publisher = cluster.Clients[0].Client;

        // act: as fast as the publisher can
        for (var i = 0; i < sent; i++) await publisher.PublishTransientAsync("firehose", i);

        // assert
        await Eventually.HoldsAsync(() => Volatile.Read(ref received) == sent,
            $"all {sent} transient messages arrived (got {Volatile.Read(ref received)})", TimeSpan.FromMinutes(3));
        var info = await publisher.GetTopicInfoAsync("firehose");
        Assert.Equal(0, Assert.Single(info.Subscriptions).TransientDropped);
    }

    [Fact]
    public async Task A_publisher_ahead_of_a_stalled_consumer_should_wait_drop_or_fail_as_asked_and_lose_nothing_when_waiting()
    {
        // arrange: a consumer that reports nothing done; window and buffer of 5
        using var db = new TempDatabase();
        await using var node = await PubSubNode.StartAsync(new PubSubOptions { SqliteFile = db.File, TransientWindow = 5, TransientBuffer = 5 });
        var kit = new Akka.TestKit.Xunit2.TestKit(node.System);
        await node.Client.CreateSubscriptionAsync("stalled", "s");
        var consumer = kit.CreateTestProbe();
        node.Region.Tell(new Consume("stalled", "s", consumer.Ref, 10), consumer.Ref);
        await consumer.ExpectMsgAsync<ConsumerRegistered>(TimeSpan.FromSeconds(10));

        // 5 go to the consumer, 5 wait at the topic: the buffer has no room left
        for (var i = 1; i <= 10; i++) await node.Client.PublishTransientAsync("stalled", i).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(Enumerable.Range(1, 5), await ReceiveAsync(consumer, 5));

        // act
        var waiting = node.Client.PublishTransientAsync("stalled", 11).AsTask();
        var dropped = node.Client.PublishTransientAsync("stalled", 12, new PublishOptions { Overflow = TransientOverflow.DropNewest });
        var failure = Assert.Throws<PubSubRejectedException>(() =>
            node.Client.PublishTransientAsync("stalled", 13, new PublishOptions { Overflow = TransientOverflow.Fail }));

        // assert: the wait ends once the consumer frees room; nothing waiting was dropped
        Assert.True(dropped.IsCompletedSuccessfully);
        Assert.Equal(RejectionCode.TopicFull, failure.Code);
        Assert.False(waiting.IsCompleted);
        node.Region.Tell(new TransientDone("stalled", "s", 5), consumer.Ref);
        await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(Enumerable.Range(6, 5), await ReceiveAsync(consumer, 5));
        node.Region.Tell(new TransientDone("stalled", "s", 5), consumer.Ref);
        Assert.Equal([11], await ReceiveAsync(consumer, 1));
        var info = await node.Client.GetTopicInfoAsync("stalled");
        Assert.Equal(0, Assert.Single(info.Subscriptions).TransientDropped);
    }

    private static async Task<List<int>> ReceiveAsync(Akka.TestKit.TestProbe consumer, int count)
    {
        var values = new List<int>();
        while (values.Count < count)
        {
            var deliver = await consumer.ExpectMsgAsync<Deliver>(TimeSpan.FromSeconds(20));
            values.AddRange(deliver.Messages.Select(m => (int)consumer.Sys.Serialization.Deserialize(m.Payload.Bytes, m.Payload.SerializerId, m.Payload.Manifest)));
        }
        return values;
    }
}
