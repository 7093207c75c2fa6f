using System.Collections.Immutable;
using Akka.Actor;
using ActorPubSub.Client;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using Xunit.Abstractions;

namespace ActorPubSub.Tests.Client;

/// <summary>
/// Where the publisher sends: through the shard region until a receipt names the topic actor, then to that actor
/// straight, never letting a publish sent straight overtake one sent through the region, and back through the region
/// when the topic actor stops or a receipt is late. The region is a probe; the topic actor is an actor at a sharded
/// entity's path (<c>/system/sharding/actorpubsub-topic/&lt;shard&gt;/&lt;entity&gt;</c>) that hands what it gets to a probe.
/// </summary>
[Trait("Category", "Unit")]
public sealed class PublisherRouteSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit("akka.loglevel = WARNING", output)
{
    private static readonly ClientSettings Settings = PublisherHarness.RouteSettings;

    private Task<IActorRef> TopicEntity(IActorRef probe, string type = TopicRegion.TypeName) =>
        PublisherHarness.EntityAt(this, probe, type);

    private (IActorRef Publisher, PublishQueue Queue) Start(IActorRef region, ClientSettings? settings = null) =>
        PublisherHarness.Start(Sys, region, settings ?? Settings);

    private static Task<PublishReceipt> Enqueue(IActorRef publisher, PublishQueue queue, byte b) =>
        PublisherHarness.Enqueue(publisher, queue, "orders", b);

    private static ImmutableArray<Publish> Publishes(object? message) => PublisherHarness.Publishes(message);

    private static PublishReceipt Receipt(Publish p, long sequence) => new("orders", sequence, p.ProducerId, p.ProducerSeq, false);

    /// <summary>A publisher whose number 1 went through the region and was answered by the topic actor: its route is now straight.</summary>
    private async Task<(Akka.TestKit.TestProbe Region, Akka.TestKit.TestProbe TopicProbe, IActorRef Topic, IActorRef Publisher, PublishQueue Queue)>
        StraightRoute(ClientSettings settings)
    {
        var region = CreateTestProbe();
        var topicProbe = CreateTestProbe();
        var topic = await TopicEntity(topicProbe.Ref);
        var (publisher, queue) = Start(region.Ref, settings);
        var first = Enqueue(publisher, queue, 1);
        publisher.Tell(Receipt(Assert.Single(Publishes(await region.ReceiveOneAsync(TimeSpan.FromSeconds(5)))), 1), topic);
        Assert.Equal(1, (await first.WaitAsync(TimeSpan.FromSeconds(5))).Sequence);
        return (region, topicProbe, topic, publisher, queue);
    }

    [Fact]
    public async Task After_a_receipt_from_the_topic_actor_publishes_should_go_to_it_straight()
    {
        // arrange, act: number 1 goes through the region and the topic actor answers it
        var (region, topicProbe, topic, publisher, queue) = await StraightRoute(Settings);
        var second = Enqueue(publisher, queue, 2);

        // assert: the next publish goes to the topic actor, not the region
        var straight = Assert.Single(Publishes(await topicProbe.ReceiveOneAsync(TimeSpan.FromSeconds(5))));
        Assert.Equal(2, straight.ProducerSeq);
        await region.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        publisher.Tell(Receipt(straight, 2), topic);
        Assert.Equal(2, (await second.WaitAsync(TimeSpan.FromSeconds(5))).Sequence);
    }

    [Fact]
    public Task With_publish_straight_to_topic_off_publishes_should_keep_the_regions_way() =>
        AfterAReceiptFrom(TopicRegion.TypeName, Settings with { PublishStraightToTopic = false });

    [Fact]
    public void Publish_straight_to_topic_should_be_on_by_default_and_read_from_the_client_section()
    {
        var config = Akka.Configuration.ConfigurationFactory.ParseString(
            "client { resend-after = 2s, publish-timeout = 30s, request-timeout = 10s }\ntopic.max-message-size = 1MiB");
        Assert.True(ClientSettings.Create(config).PublishStraightToTopic);
        Assert.True(ClientSettings.Create(ActorPubSub.Hosting.PubSubConfig.Default.GetConfig("actorpubsub")).PublishStraightToTopic);
        var off = Akka.Configuration.ConfigurationFactory.ParseString("client.publish-straight-to-topic = off").WithFallback(config);
        Assert.False(ClientSettings.Create(off).PublishStraightToTopic);
    }

    [Fact]
    public Task A_receipt_from_an_actor_that_is_not_a_topic_entity_should_not_change_the_route() =>
        // a relay (a cluster client's tunnel, say) answers, or an actor of another entity type
        AfterAReceiptFrom(ActorPubSub.DeadLetters.DeadLetterRegion.TypeName, Settings);

    /// <summary>
    /// Number 1 goes through the region and an actor at an entity path of <paramref name="entityType"/> answers it;
    /// number 2 must still go through the region, not to that actor.
    /// </summary>
    private async Task AfterAReceiptFrom(string entityType, ClientSettings settings)
    {
        // arrange
        var region = CreateTestProbe();
        var answererProbe = CreateTestProbe();
        var answerer = await TopicEntity(answererProbe.Ref, type: entityType);
        var (publisher, queue) = Start(region.Ref, settings);
        var first = Enqueue(publisher, queue, 1);
        var sent = Assert.Single(Publishes(await region.ReceiveOneAsync(TimeSpan.FromSeconds(5))));

        // act
        publisher.Tell(Receipt(sent, 1), answerer);
        await first.WaitAsync(TimeSpan.FromSeconds(5));
        _ = Enqueue(publisher, queue, 2);

        // assert
        Assert.Equal(2, Assert.Single(Publishes(await region.ReceiveOneAsync(TimeSpan.FromSeconds(5)))).ProducerSeq);
        await answererProbe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Publishes_should_wait_for_the_last_one_sent_through_the_region_before_going_straight()
    {
        // arrange: two publishes through the region in flight, then the first one's receipt names the topic actor
        var region = CreateTestProbe();
        var topicProbe = CreateTestProbe();
        var topic = await TopicEntity(topicProbe.Ref);
        var (publisher, queue) = Start(region.Ref, Settings with { PublishBatchesInFlight = 4 });
        _ = Enqueue(publisher, queue, 1);
        var one = Assert.Single(Publishes(await region.ReceiveOneAsync(TimeSpan.FromSeconds(5))));
        _ = Enqueue(publisher, queue, 2);
        var two = Assert.Single(Publishes(await region.ReceiveOneAsync(TimeSpan.FromSeconds(5))));
        publisher.Tell(Receipt(one, 1), topic);

        // act: number 3 is published while number 2, sent through the region, is unanswered
        _ = Enqueue(publisher, queue, 3);

        // assert: number 3 waits (straight it could overtake number 2 on the region's longer way), then goes straight
        await region.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        await topicProbe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(10));
        publisher.Tell(Receipt(two, 2), topic);
        Assert.Equal(3, Assert.Single(Publishes(await topicProbe.ReceiveOneAsync(TimeSpan.FromSeconds(5)))).ProducerSeq);
    }

    [Fact]
    public async Task When_the_topic_actor_stops_unanswered_publishes_should_go_again_through_the_region_at_once()
    {
        // arrange: the route is straight and two publishes went to the topic actor unanswered
        var (region, topicProbe, topic, publisher, queue) = await StraightRoute(Settings with { PublishBatchesInFlight = 4 });
        var second = Enqueue(publisher, queue, 2);
        Assert.Equal(2, Assert.Single(Publishes(await topicProbe.ReceiveOneAsync(TimeSpan.FromSeconds(5)))).ProducerSeq);
        _ = Enqueue(publisher, queue, 3);
        Assert.Equal(3, Assert.Single(Publishes(await topicProbe.ReceiveOneAsync(TimeSpan.FromSeconds(5)))).ProducerSeq);

        // act: the topic actor stops (passivated, handed off, its node gone)
        Sys.Stop(topic);

        // assert: both go again through the region, in order, long before resend-after (30 s) would resend them
        var again = Publishes(await region.ReceiveOneAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal([2L, 3], again.Select(p => p.ProducerSeq));
        Assert.All(again, p => Assert.Equal(2, p.ProducerFloor));
        publisher.Tell(new PublishReceipts("orders", [Receipt(again[0], 2), Receipt(again[1], 3)]), region.Ref);
        Assert.Equal(2, (await second.WaitAsync(TimeSpan.FromSeconds(5))).Sequence);
        // and the route stays the region's until a topic actor answers again
        _ = Enqueue(publisher, queue, 4);
        Assert.Equal(4, Assert.Single(Publishes(await region.ReceiveOneAsync(TimeSpan.FromSeconds(5)))).ProducerSeq);
    }

    [Fact]
    public async Task A_resend_should_go_through_the_region_which_finds_a_topic_that_moved()
    {
        // arrange: the route is straight; the topic actor takes a publish and never answers
        var (region, topicProbe, _, publisher, queue) = await StraightRoute(Settings with { ResendAfter = TimeSpan.FromMilliseconds(300) });
        _ = Enqueue(publisher, queue, 2);
        Assert.Equal(2, Assert.Single(Publishes(await topicProbe.ReceiveOneAsync(TimeSpan.FromSeconds(5)))).ProducerSeq);

        // act: no receipt within resend-after

        // assert: the resend takes the region's way
        Assert.Equal(2, Assert.Single(Publishes(await region.ReceiveOneAsync(TimeSpan.FromSeconds(5)))).ProducerSeq);
    }
}
