using Akka.Actor;
using Akka.Event;
using ActorPubSub.Topics;
using static ActorPubSub.Tests.Topics.TopicParts;

namespace ActorPubSub.Tests.Topics;

/// <summary>
/// The topic's side of the consumer protocol as a plain part (<see cref="ConsumerProtocol"/>): what it tells the
/// consumers and what it asks the topic to do next. <see cref="ConsumerProtocolSpec"/> runs the protocol end to end.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ConsumerProtocolPartSpec
{
    private readonly List<IActorRef> _watched = [];
    private readonly List<IActorRef> _unwatched = [];
    private readonly List<ITopicEvent> _events = [];
    private readonly SubscriptionTable _table = Table(LogOf(3), subscriptions: ["billing"]);
    private readonly ConsumerProtocol _protocol;

    public ConsumerProtocolPartSpec() =>
        _protocol = new ConsumerProtocol(Topic, DefaultSettings(), _table, new TopicRequests(Topic, DefaultSettings()), () => true,
            _events.Add, _watched.Add, _unwatched.Add, NoLogger.Instance);

    [Fact]
    public void Consume_should_welcome_a_new_consumer_before_its_first_delivery()
    {
        // arrange
        var consumer = new StandInRef("c");

        // act
        var then = _protocol.Consume(new Consume(Topic, "billing", consumer, 10), now: 0);

        // assert
        Assert.Equal(Then.Gauges | Then.Tick, then);
        Assert.Same(consumer, Assert.Single(_watched));
        Assert.IsType<ConsumerRegistered>(consumer.Received[0]);
        Assert.Equal([1L, 2, 3], Assert.IsType<Deliver>(consumer.Received[1]).Messages.Select(m => m.Sequence));
        Assert.Equal(Then.Tick, _protocol.Consume(new Consume(Topic, "billing", consumer, 10), now: 1));   // a renewal
    }

    [Fact]
    public void Consume_should_refuse_an_unknown_subscription_and_a_window_out_of_bounds()
    {
        // arrange
        var consumer = new StandInRef("c");

        // act
        var unknown = _protocol.Consume(new Consume(Topic, "audit", consumer, 10), now: 0);
        var badWindow = _protocol.Consume(new Consume(Topic, "billing", consumer, 0), now: 0);

        // assert
        Assert.Equal(Then.PassivateIfUnknown, unknown);
        Assert.Equal(Then.Nothing, badWindow);
        Assert.Equal([RejectionCode.UnknownSubscription, RejectionCode.Invalid],
            consumer.Received.Cast<CommandRejected>().Select(r => r.Code));
        Assert.Empty(_watched);
    }

    [Fact]
    public void Ack_and_Nack_should_ask_for_a_write_only_when_something_changed()
    {
        // arrange
        var consumer = new StandInRef("c");
        _protocol.Consume(new Consume(Topic, "billing", consumer, 10), now: 0);

        // act
        var acked = _protocol.Ack(new Ack(Topic, "billing", [1L]), consumer, now: 1);
        var again = _protocol.Ack(new Ack(Topic, "billing", [1L]), consumer, now: 1);
        var nacked = _protocol.Nack(new Nack(Topic, "billing", 2, TimeSpan.FromSeconds(1), "boom"), consumer, now: 2, At);
        var stale = _protocol.Nack(new Nack(Topic, "billing", 2, TimeSpan.FromSeconds(1), "boom"), consumer, now: 2, At);

        // assert
        Assert.Equal(Then.Write | Then.Trim | Then.Tick, acked);
        Assert.Equal(Then.Nothing, again);
        Assert.Equal(Then.Write | Then.Tick, nacked);
        Assert.Equal(Then.Nothing, stale);
        Assert.IsType<DeliveriesFailed>(Assert.Single(_events));
    }

    [Fact]
    public void StopConsuming_should_stop_watching_a_consumer_of_no_other_subscription()
    {
        // arrange
        var consumer = new StandInRef("c");
        _protocol.Consume(new Consume(Topic, "billing", consumer, 10), now: 0);

        // act
        var then = _protocol.StopConsuming(new StopConsuming(Topic, "billing", consumer), now: 1);

        // assert
        Assert.Equal(Then.Gauges, then);
        Assert.Same(consumer, Assert.Single(_unwatched));
        Assert.Equal(Then.Nothing, _protocol.StopConsuming(new StopConsuming(Topic, "billing", consumer), now: 1));
    }
}
