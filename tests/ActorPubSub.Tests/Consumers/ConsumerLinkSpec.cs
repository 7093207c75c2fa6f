using System.Collections.Immutable;
using Akka.Actor;
using ActorPubSub.Consumers;
using ActorPubSub.Topics;
using Xunit.Abstractions;

namespace ActorPubSub.Tests.Consumers;

/// <summary>
/// The consumer's end of the consumer protocol, against probes for the shard region, the topic actors and the owning
/// consumer, with the owner's watches recorded: registration, where acks go across a topic hand-off, and stop.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ConsumerLinkSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit("akka.loglevel = WARNING", output)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    /// <summary>The owner's watches, as the link asked for them.</summary>
    private sealed class RecordedWatches : ICanWatch
    {
        public List<IActorRef> Watched { get; } = [];

        public IActorRef Watch(IActorRef subject)
        {
            Watched.Add(subject);
            return subject;
        }

        public IActorRef WatchWith(IActorRef subject, object message) => Watch(subject);

        public IActorRef Unwatch(IActorRef subject)
        {
            Watched.Remove(subject);
            return subject;
        }
    }

    private (ConsumerLink Link, Akka.TestKit.TestProbe Region, Akka.TestKit.TestProbe Consumer, RecordedWatches Watches) Start()
    {
        var region = CreateTestProbe();
        var consumer = CreateTestProbe();
        var watches = new RecordedWatches();
        return (new ConsumerLink(region, "orders", "billing", 16, consumer, watches), region, consumer, watches);
    }

    [Fact]
    public async Task Register_should_send_Consume_with_the_window_to_the_region_as_the_consumer()
    {
        // arrange
        var (link, region, consumer, _) = Start();

        // act
        link.Register();

        // assert
        Assert.Equal(new Consume("orders", "billing", consumer, 16), await region.ExpectMsgAsync<Consume>());
        Assert.Equal(consumer.Ref, region.LastSender);
    }

    [Fact]
    public async Task Acks_should_go_through_the_region_until_a_topic_actor_delivered()
    {
        // arrange
        var (link, region, _, watches) = Start();

        // act
        link.Ack(7);
        link.Nack(8, "boom", unprocessable: true);
        link.TransientDone(2);

        // assert
        Assert.Equal(new[] { 7L }, (await region.ExpectMsgAsync<Ack>()).Sequences);
        Assert.Equal(new Nack("orders", "billing", 8, null, "boom", true), await region.ExpectMsgAsync<Nack>());
        Assert.Equal(new TransientDone("orders", "billing", 2), await region.ExpectMsgAsync<TransientDone>());
        Assert.Empty(watches.Watched);
    }

    [Fact]
    public async Task Acks_should_go_straight_to_the_topic_actor_that_delivered_and_watch_it()
    {
        // arrange
        var (link, region, consumer, watches) = Start();
        var topic = CreateTestProbe();

        // act
        link.Delivered(topic);
        link.Ack(ImmutableArray.Create(1L, 2L));
        link.Nack(3, "boom", unprocessable: false);
        link.TransientDone(1);

        // assert
        Assert.Equal(new[] { 1L, 2L }, (await topic.ExpectMsgAsync<Ack>()).Sequences);
        Assert.Equal(consumer.Ref, topic.LastSender);
        await topic.ExpectMsgAsync<Nack>();
        await topic.ExpectMsgAsync<TransientDone>();
        await region.ExpectNoMsgAsync(Quiet);
        Assert.Equal(new[] { topic.Ref }, watches.Watched);
    }

    [Fact]
    public async Task Link_should_follow_a_topic_hand_off_to_the_new_incarnation()
    {
        // arrange
        var (link, region, _, watches) = Start();
        var before = CreateTestProbe();
        var after = CreateTestProbe();
        link.Delivered(before);

        // act: the topic moved; its new incarnation delivers
        link.Delivered(after);
        link.Ack(5);

        // assert
        Assert.Equal(new[] { 5L }, (await after.ExpectMsgAsync<Ack>()).Sequences);
        await before.ExpectNoMsgAsync(Quiet);
        await region.ExpectNoMsgAsync(TimeSpan.Zero);
        Assert.Equal(new[] { after.Ref }, watches.Watched);
    }

    [Fact]
    public async Task Acks_should_fall_back_to_the_region_once_the_delivering_topic_actor_terminated()
    {
        // arrange
        var (link, region, _, _) = Start();
        var topic = CreateTestProbe();
        var other = CreateTestProbe();
        link.Delivered(topic);

        // act
        var unrelated = link.Terminated(other);
        var delivering = link.Terminated(topic);
        link.Ack(9);

        // assert
        Assert.False(unrelated);
        Assert.True(delivering);
        Assert.Equal(new[] { 9L }, (await region.ExpectMsgAsync<Ack>()).Sequences);
        await topic.ExpectNoMsgAsync(Quiet);
    }

    [Fact]
    public async Task Delivered_should_ignore_deliveries_without_a_sender()
    {
        // arrange
        var (link, region, _, watches) = Start();

        // act
        link.Delivered(ActorRefs.Nobody);
        link.Delivered(Sys.DeadLetters);
        link.Ack(4);

        // assert
        await region.ExpectMsgAsync<Ack>();
        Assert.Empty(watches.Watched);
    }

    [Fact]
    public async Task Stop_should_tell_the_region_even_after_a_topic_actor_delivered()
    {
        // arrange
        var (link, region, consumer, _) = Start();
        var topic = CreateTestProbe();
        link.Delivered(topic);

        // act
        link.Stop();

        // assert
        Assert.Equal(new StopConsuming("orders", "billing", consumer), await region.ExpectMsgAsync<StopConsuming>());
        await topic.ExpectNoMsgAsync(Quiet);
    }

    [Theory]
    [InlineData(RejectionCode.UnknownTopic, true)]
    [InlineData(RejectionCode.UnknownSubscription, true)]
    [InlineData(RejectionCode.Invalid, true)]
    [InlineData(RejectionCode.TopicFull, false)]
    [InlineData(RejectionCode.StorageFailure, false)]
    public void Ends_should_end_the_consumer_only_when_its_topic_or_subscription_cannot_serve_it(RejectionCode code, bool ends)
    {
        // act + assert
        Assert.Equal(ends, ConsumerLink.Ends(new CommandRejected("orders", "billing", nameof(Consume), code, "why")));
    }
}
