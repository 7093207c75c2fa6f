using Akka.Actor;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;

namespace ActorPubSub.Tests.Client;

/// <summary>
/// The client-wide transient budget (<c>actorpubsub.client.transient-buffer-total</c>): the topics' buffers together hold
/// at most that many messages, so many topics cannot grow a client's memory without bound; a publish refused or held by
/// it goes on once another topic's credit frees room.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TransientBudgetSpec
{
    [Fact]
    public async Task Topics_together_should_hold_at_most_the_total_and_a_waiting_publish_should_go_on_when_another_topic_frees_room()
    {
        // arrange: stalled consumers with a window of 5; each topic parks 5 (its credit pool); the client holds 10 per
        // topic, 10 over all topics
        using var db = new TempDatabase();
        await using var node = await PubSubNode.StartAsync(new PubSubOptions
        {
            SqliteFile = db.File, TransientWindow = 5, TransientCreditPool = 5, TransientBuffer = 10, TransientBufferTotal = 10,
        });
        var kit = new Akka.TestKit.Xunit2.TestKit(node.System);
        var consumers = new Dictionary<string, Akka.TestKit.TestProbe>();
        foreach (var topic in new[] { "a", "b" })
        {
            await node.Client.CreateSubscriptionAsync(topic, "s");
            var consumer = kit.CreateTestProbe();
            node.Region.Tell(new Consume(topic, "s", consumer.Ref, 10), consumer.Ref);
            await consumer.ExpectMsgAsync<ConsumerRegistered>(TimeSpan.FromSeconds(10));
            consumers[topic] = consumer;
        }

        // each topic: 5 go to its consumer, 5 wait at the topic, 5 wait at the client for credit (10 held in all)
        foreach (var topic in new[] { "a", "b" })
        {
            for (var i = 1; i <= 15; i++) await node.Client.PublishTransientAsync(topic, i).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            await ReceiveAsync(consumers[topic], 5);
        }

        // act: a third topic, its own buffer empty
        var failure = Assert.Throws<PubSubRejectedException>(() =>
            node.Client.PublishTransientAsync("c", 1, new PublishOptions { Overflow = TransientOverflow.Fail }));
        var waiting = node.Client.PublishTransientAsync("c", 2).AsTask();

        // assert: refused by the client-wide budget, and the waiting publish goes on once topic a passes its 5 on
        Assert.Equal(RejectionCode.TopicFull, failure.Code);
        Assert.Contains("transient-buffer-total", failure.Message);
        Assert.False(waiting.IsCompleted);
        node.Region.Tell(new TransientDone("a", "s", 5), consumers["a"].Ref);
        await ReceiveAsync(consumers["a"], 5);
        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void The_total_should_be_a_validated_setting()
    {
        Assert.Contains("TransientBufferTotal", Assert.Throws<ArgumentException>(() => new PubSubOptions { TransientBufferTotal = 0 }.Validate()).Message);
    }

    private static async Task ReceiveAsync(Akka.TestKit.TestProbe consumer, int count)
    {
        for (var received = 0; received < count;)
            received += (await consumer.ExpectMsgAsync<Deliver>(TimeSpan.FromSeconds(30))).Messages.Length;
    }
}
