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
        // arrange: a consumer that reports nothing done; window 5, the topic's credit pool 5, the client's buffer 5
        using var db = new TempDatabase();
        await using var node = await PubSubNode.StartAsync(new PubSubOptions
        {
            SqliteFile = db.File, TransientWindow = 5, TransientCreditPool = 5, TransientBuffer = 5,
        });
        var kit = new Akka.TestKit.Xunit2.TestKit(node.System);
        await node.Client.CreateSubscriptionAsync("stalled", "s");
        var consumer = kit.CreateTestProbe();
        node.Region.Tell(new Consume("stalled", "s", consumer.Ref, 10), consumer.Ref);
        await consumer.ExpectMsgAsync<ConsumerRegistered>(TimeSpan.FromSeconds(10));

        // 5 go to the consumer, 5 wait at the topic (its pool is granted), 5 wait at the client: its buffer is full
        for (var i = 1; i <= 15; i++) await node.Client.PublishTransientAsync("stalled", i).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(Enumerable.Range(1, 5), await ReceiveAsync(consumer, 5));
        await Eventually.HoldsAsync(() => node.Client.GetTopicInfoAsync("stalled"), i => i.Subscriptions[0].TransientWaiting == 5,
            "5 transient messages wait at the topic", TimeSpan.FromSeconds(20));

        // act
        var waiting = node.Client.PublishTransientAsync("stalled", 16).AsTask();
        var dropped = node.Client.PublishTransientAsync("stalled", 17, new PublishOptions { Overflow = TransientOverflow.DropNewest });
        var failure = Assert.Throws<PubSubRejectedException>(() =>
            node.Client.PublishTransientAsync("stalled", 18, new PublishOptions { Overflow = TransientOverflow.Fail }));

        // assert: the wait ends once the consumer frees room; nothing waiting was dropped
        Assert.True(dropped.IsCompletedSuccessfully);
        Assert.Equal(RejectionCode.TopicFull, failure.Code);
        Assert.False(waiting.IsCompleted);
        node.Region.Tell(new TransientDone("stalled", "s", 5), consumer.Ref);
        await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(Enumerable.Range(6, 5), await ReceiveAsync(consumer, 5));
        node.Region.Tell(new TransientDone("stalled", "s", 5), consumer.Ref);
        Assert.Equal(Enumerable.Range(11, 5), await ReceiveAsync(consumer, 5));
        node.Region.Tell(new TransientDone("stalled", "s", 5), consumer.Ref);
        Assert.Equal([16], await ReceiveAsync(consumer, 1));
        var info = await node.Client.GetTopicInfoAsync("stalled");
        Assert.Equal(0, Assert.Single(info.Subscriptions).TransientDropped);
    }

    [Fact]
    public async Task Several_publishers_should_lose_nothing_to_a_stalled_consumer_while_the_topic_parks_no_more_than_its_pool()
    {
        // arrange: 3 client members (their own ActorSystems) publish to one topic whose consumer is stalled; the topic
        // parks at most 100 of their messages, each client holds up to 200
        const int publishers = 3, each = 1_000, pool = 100;
        await using var cluster = await PubSubCluster.StartAsync(1, clients: publishers, configure: o =>
        {
            o.TransientWindow = 50;
            o.TransientCreditPool = pool;
            o.TransientBuffer = 200;
        });
        var node = cluster.Nodes[0].Client;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = 0;
        await using var sub = await node.SubscribeAsync<int>("crowd", "slow", async (_, _) =>
        {
            await gate.Task;
            Interlocked.Increment(ref received);
        });

        // act: every publisher sends its all at once, with the default Overflow (Wait)
        var publishing = cluster.Clients.Select((c, p) => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++) await c.Client.PublishTransientAsync("crowd", p * each + i);
        })).ToList();

        // assert: the topic fills its pool and parks no more, dropping nothing; the rest waits at the clients
        var most = 0;
        await Eventually.HoldsAsync(() => node.GetTopicInfoAsync("crowd"), i =>
        {
            var s = Assert.Single(i.Subscriptions);
            most = Math.Max(most, s.TransientWaiting);
            Assert.Equal(0, s.TransientDropped);
            return s.TransientWaiting == pool;
        }, $"the topic parks its pool of {pool}", TimeSpan.FromSeconds(60));
        Assert.False(publishing.All(p => p.IsCompleted), "the publishers wait at their clients");
        Assert.True(most <= pool, $"the topic parked {most}, more than its pool of {pool}");
        gate.SetResult();
        await Task.WhenAll(publishing).WaitAsync(TimeSpan.FromMinutes(2));
        await Eventually.HoldsAsync(() => Volatile.Read(ref received) == publishers * each,
            $"all {publishers * each} transient messages arrived (got {Volatile.Read(ref received)})", TimeSpan.FromMinutes(2));
        var info = Assert.Single((await node.GetTopicInfoAsync("crowd")).Subscriptions);
        Assert.Equal(0, info.TransientDropped);
        Assert.Equal(0, info.TransientWaiting);
    }

    [Fact]
    public async Task A_publisher_that_stops_holding_credit_should_not_keep_the_others_waiting()
    {
        // arrange: publisher A fills the topic's pool of 100 while the consumer is stalled, wants more, and stops
        const int pool = 100, fromB = 300;
        await using var cluster = await PubSubCluster.StartAsync(1, clients: 2, configure: o =>
        {
            o.TransientWindow = 50;
            o.TransientCreditPool = pool;
            o.TransientBuffer = 1_000;
        });
        var node = cluster.Nodes[0].Client;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var receivedFromB = 0;
        await using var sub = await node.SubscribeAsync<int>("left", "slow", async (value, _) =>
        {
            await gate.Task;
            if (value.Message >= 1_000_000) Interlocked.Increment(ref receivedFromB);
        });
        var (a, b) = (cluster.Clients[0], cluster.Clients[1]);
        for (var i = 0; i < 500; i++) await a.Client.PublishTransientAsync("left", i);
        await Eventually.HoldsAsync(() => node.GetTopicInfoAsync("left"), i => i.Subscriptions[0].TransientWaiting == pool,
            $"A's messages fill the pool of {pool}", TimeSpan.FromSeconds(60));

        // act: A stops with its credit granted and more wanted; B publishes; the consumer resumes
        await a.StopAsync();
        var publishing = Task.Run(async () =>
        {
            for (var i = 0; i < fromB; i++) await b.Client.PublishTransientAsync("left", 1_000_000 + i);
        });
        gate.SetResult();

        // assert: A's share came back to the pool, so all of B's messages get through
        await publishing.WaitAsync(TimeSpan.FromMinutes(2));
        await Eventually.HoldsAsync(() => Volatile.Read(ref receivedFromB) == fromB,
            $"all {fromB} of B's messages arrived (got {Volatile.Read(ref receivedFromB)})", TimeSpan.FromMinutes(2));
        Assert.Equal(0, Assert.Single((await node.GetTopicInfoAsync("left")).Subscriptions).TransientDropped);
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
