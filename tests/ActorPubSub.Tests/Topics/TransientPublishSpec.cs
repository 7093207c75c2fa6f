using Akka.Actor;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Topics;

/// <summary>Transient publishes: delivered to current consumers only, never stored, bounded per consumer.</summary>
[Trait("Category", "Integration")]
public sealed class TransientPublishSpec : NodeSpec
{
    protected override PubSubOptions Options => new PubSubOptions { ExtraHocon = "actorpubsub.topic.transient-window = 5" };

    [Fact]
    public async Task Transient_message_should_reach_each_consuming_subscription_once_and_never_be_stored()
    {
        // arrange: two consuming subscriptions and one without a consumer
        var a = new DeliveryLog<string>();
        var b = new DeliveryLog<string>();
        await using var subA = await Node.Client.SubscribeAsync<string>("ticks", "a", a.Recording);
        await using var subB = await Node.Client.SubscribeAsync<string>("ticks", "b", b.Recording);
        await Node.Client.CreateSubscriptionAsync("ticks", "idle");
        await Eventually.HoldsAsync(() => Node.Client.GetTopicInfoAsync("ticks"),
            i => i.Subscriptions.Count(s => s.Consumers == 1) == 2, "both consumers are registered");

        // act
        Node.Client.PublishTransient("ticks", "tick");

        // assert
        await a.ReceivedAsync(1);
        await b.ReceivedAsync(1);
        Assert.All(a.All.Concat(b.All), d => Assert.Equal((0L, 0, "tick"), (d.Sequence, d.Attempt, d.Message)));
        var info = await Node.Client.GetTopicInfoAsync("ticks");
        Assert.Equal((0L, 0), (info.LastSequence, info.RetainedMessages));
        Assert.All(info.Subscriptions, s => Assert.Equal(0, s.Pending));

        // a consumer that attaches later does not get it: nothing was kept
        var late = new DeliveryLog<string>();
        await using var subIdle = await Node.Client.SubscribeAsync<string>("ticks", "idle", late.Recording);
        await Node.Client.PublishAsync("ticks", "durable");
        await late.ReceivedAsync(1);
        Assert.Equal("durable", Assert.Single(late.All).Message);
    }

    [Fact]
    public async Task Transient_messages_beyond_the_consumer_window_should_wait_at_the_topic_until_it_reports_done()
    {
        // arrange: an actor-native consumer that does not report its transient deliveries done
        await Node.Client.CreateSubscriptionAsync("bounded", "s");
        var consumer = Kit.CreateTestProbe();
        Node.Region.Tell(new Consume("bounded", "s", consumer.Ref, 10), consumer.Ref);
        await consumer.ExpectMsgAsync<ConsumerRegistered>(TimeSpan.FromSeconds(10));

        // act: 8 transient messages against a transient window of 5
        for (var i = 1; i <= 8; i++) Node.Client.PublishTransient("bounded", new[] { (byte)i });

        // assert: exactly 5 arrive (attempt 0), the rest wait at the topic
        var received = 0;
        while (received < 5)
        {
            var deliver = await consumer.ExpectMsgAsync<Deliver>(TimeSpan.FromSeconds(10));
            Assert.All(deliver.Attempts, attempt => Assert.Equal(0, attempt));
            received += deliver.Messages.Length;
        }
        Assert.Equal(5, received);
        await consumer.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));

        // reporting them done opens the window again: the waiting ones come, none was dropped
        Node.Region.Tell(new TransientDone("bounded", "s", 5), consumer.Ref);
        var waited = await consumer.ExpectMsgAsync<Deliver>(TimeSpan.FromSeconds(10));
        Assert.Equal([6, 7, 8], waited.Messages.Select(m => m.Payload.Bytes[^1]));
    }
}
