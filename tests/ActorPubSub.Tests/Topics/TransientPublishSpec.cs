using Akka.Actor;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;
using TestKit = Akka.TestKit.Xunit2.TestKit;

namespace ActorPubSub.Tests.Topics;

/// <summary>Fire-and-forget publishes: delivered to current consumers only, never stored, bounded per consumer.</summary>
[Trait("Category", "Integration")]
public sealed class TransientPublishSpec : IAsyncLifetime
{
    private readonly TempDatabase _db = new();
    private PubSubNode _node = null!;
    private TestKit _kit = null!;

    public async Task InitializeAsync()
    {
        _node = await PubSubNode.StartAsync(new PubSubOptions
        {
            SqliteFile = _db.File,
            ExtraHocon = "actorpubsub.topic.transient-window = 5",
        });
        _kit = new TestKit(_node.System);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _db.Dispose();
    }

    [Fact]
    public async Task Transient_message_should_reach_each_consuming_subscription_once_and_never_be_stored()
    {
        // arrange: two consuming subscriptions and one without a consumer
        var a = new DeliveryLog<string>();
        var b = new DeliveryLog<string>();
        await using var subA = await _node.Client.SubscribeAsync<string>("ticks", "a", a.Recording);
        await using var subB = await _node.Client.SubscribeAsync<string>("ticks", "b", b.Recording);
        await _node.Client.CreateSubscriptionAsync("ticks", "idle");
        await Eventually.HoldsAsync(() => _node.Client.GetTopicInfoAsync("ticks"),
            i => i.Subscriptions.Count(s => s.Consumers == 1) == 2, "both consumers are registered");

        // act
        _node.Client.PublishTransient("ticks", "tick");

        // assert
        await a.ReceivedAsync(1);
        await b.ReceivedAsync(1);
        Assert.All(a.All.Concat(b.All), d => Assert.Equal((0L, 0, "tick"), (d.Sequence, d.Attempt, d.Message)));
        var info = await _node.Client.GetTopicInfoAsync("ticks");
        Assert.Equal((0L, 0), (info.LastSequence, info.RetainedMessages));
        Assert.All(info.Subscriptions, s => Assert.Equal(0, s.Pending));

        // a consumer that attaches later does not get it: nothing was kept
        var late = new DeliveryLog<string>();
        await using var subIdle = await _node.Client.SubscribeAsync<string>("ticks", "idle", late.Recording);
        await _node.Client.PublishAsync("ticks", "durable");
        await late.ReceivedAsync(1);
        Assert.Equal("durable", Assert.Single(late.All).Message);
    }

    [Fact]
    public async Task Transient_messages_beyond_the_consumer_window_should_be_dropped_until_it_reports_done()
    {
        // arrange: an actor-native consumer that does not report its transient deliveries done
        await _node.Client.CreateSubscriptionAsync("bounded", "s");
        var consumer = _kit.CreateTestProbe();
        _node.Region.Tell(new Consume("bounded", "s", consumer.Ref, 10), consumer.Ref);
        await consumer.ExpectMsgAsync<ConsumerRegistered>(TimeSpan.FromSeconds(10));

        // act: 8 transient messages against a transient window of 5
        for (var i = 1; i <= 8; i++) _node.Client.PublishTransient("bounded", new[] { (byte)i });

        // assert: exactly 5 arrive (attempt 0), the rest are dropped
        var received = 0;
        while (received < 5)
        {
            var deliver = await consumer.ExpectMsgAsync<Deliver>(TimeSpan.FromSeconds(10));
            Assert.All(deliver.Attempts, attempt => Assert.Equal(0, attempt));
            received += deliver.Messages.Length;
        }
        Assert.Equal(5, received);
        await consumer.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));

        // reporting them done opens the window again
        _node.Region.Tell(new TransientDone("bounded", "s", 5), consumer.Ref);
        await Eventually.HoldsAsync(async () =>
        {
            _node.Client.PublishTransient("bounded", new byte[] { 9 });
            return await consumer.ReceiveOneAsync(TimeSpan.FromMilliseconds(200));
        }, m => m is Deliver, "a transient message arrived after the consumer reported done");
    }
}
