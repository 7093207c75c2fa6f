using Akka.Actor;
using ActorPubSub.Client;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using Xunit.Abstractions;

namespace ActorPubSub.Tests.Client;

/// <summary>
/// Where the publisher sends transient messages: the first demand through the shard region, then, once the topic
/// actor's grant of credit names it, every batch and demand to that actor straight (as durable publishes go once a
/// receipt names it), and through the region again when it stops. The region is a probe; the topic actor is an actor at
/// a sharded entity's path that hands what it gets to a probe.
/// </summary>
[Trait("Category", "Unit")]
public sealed class TransientRouteSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit("akka.loglevel = WARNING", output)
{
    private static readonly ClientSettings Settings = PublisherHarness.RouteSettings;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A publisher with a transient queue of topic "orders", wired as the client wires them, three messages offered and
    /// their demand read off the region (nothing is sent before a grant); the actor at the entity path of
    /// <paramref name="entityType"/> is the one whose grant comes next.
    /// </summary>
    private async Task<(Akka.TestKit.TestProbe Region, Akka.TestKit.TestProbe EntityProbe, IActorRef Entity, IActorRef Publisher, TransientQueue Queue)>
        AwaitingCredit(ClientSettings settings, string entityType = TopicRegion.TypeName)
    {
        var region = CreateTestProbe();
        var entityProbe = CreateTestProbe();
        var entity = await PublisherHarness.EntityAt(this, entityProbe.Ref, entityType);
        var (publisher, _) = PublisherHarness.Start(Sys, region.Ref, settings);
        var budget = new TransientBudget(1000, q => publisher.Tell(new PublisherActor.FlushTransient(q)));
        var queue = new TransientQueue("orders", 100, budget);
        Offer(publisher, queue, 3);
        Assert.Equal(3, (await region.ExpectMsgAsync<TransientDemand>(Wait)).Count);
        return (region, entityProbe, entity, publisher, queue);
    }

    /// <summary>Offers <paramref name="count"/> one-byte messages and asks for the flush, as <c>PublishTransientAsync</c> does.</summary>
    private static void Offer(IActorRef publisher, TransientQueue queue, int count)
    {
        for (var i = 0; i < count; i++)
            Assert.Equal(TransientQueue.Outcome.Queued,
                queue.Offer(new TopicMessage(0, DateTime.UtcNow, new Payload(4, "", [(byte)i]), null, null, null), TransientOverflow.Fail, out _));
        publisher.Tell(new PublisherActor.FlushTransient(queue));
    }

    [Fact]
    public async Task After_a_grant_from_the_topic_actor_transient_batches_should_go_to_it_straight()
    {
        // arrange: three messages wait for credit, their demand went through the region
        var (region, topicProbe, topic, publisher, queue) = await AwaitingCredit(Settings);

        // act: the topic actor grants them
        publisher.Tell(new TransientAccepted("orders", 3), topic);

        // assert: the batch goes to the topic actor, and the next demand too; the region hears nothing more
        Assert.Equal(3, (await topicProbe.ExpectMsgAsync<PublishTransient>(Wait)).Messages.Length);
        Offer(publisher, queue, 2);
        Assert.Equal(2, (await topicProbe.ExpectMsgAsync<TransientDemand>(Wait)).Count);
        await region.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public Task With_publish_straight_to_topic_off_transient_batches_should_keep_the_regions_way() =>
        GrantedBy(TopicRegion.TypeName, Settings with { PublishStraightToTopic = false });

    [Fact]
    public Task A_grant_from_an_actor_that_is_not_a_topic_entity_should_not_change_the_route() =>
        // a relay (a cluster client's tunnel, say) passes the grant on, or an actor of another entity type
        GrantedBy(ActorPubSub.DeadLetters.DeadLetterRegion.TypeName, Settings);

    /// <summary>An actor at an entity path of <paramref name="entityType"/> grants the credit; the batch must still go through the region.</summary>
    private async Task GrantedBy(string entityType, ClientSettings settings)
    {
        var (region, entityProbe, entity, publisher, _) = await AwaitingCredit(settings, entityType);

        publisher.Tell(new TransientAccepted("orders", 3), entity);

        Assert.Equal(3, (await region.ExpectMsgAsync<PublishTransient>(Wait)).Messages.Length);
        await entityProbe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task When_the_topic_actor_stops_transient_batches_should_go_through_the_region_again()
    {
        // arrange: the route is straight, with credit left for 5 more
        var (region, topicProbe, topic, publisher, queue) = await AwaitingCredit(Settings);
        publisher.Tell(new TransientAccepted("orders", 8), topic);
        await topicProbe.ExpectMsgAsync<PublishTransient>(Wait);

        // act: the topic actor stops (passivated, handed off, its node gone); the publisher learns it by its watch
        Watch(topic);
        Sys.Stop(topic);
        await ExpectTerminatedAsync(topic, Wait);
        // The publisher's own Terminated may come a moment after this test's: a message sent straight meanwhile is lost,
        // as a transient message sent into a hand-off is. Publish one at a time until one reaches the region (each
        // within the credit left).
        PublishTransient? viaRegion = null;
        for (var tries = 0; viaRegion is null && tries < 5; tries++)
        {
            Offer(publisher, queue, 1);
            viaRegion = await region.ReceiveOneAsync(TimeSpan.FromSeconds(1)) as PublishTransient;
        }

        // assert: it went through the region, not to the stopped actor
        Assert.NotNull(viaRegion);
        Assert.Single(viaRegion.Messages);
    }
}
