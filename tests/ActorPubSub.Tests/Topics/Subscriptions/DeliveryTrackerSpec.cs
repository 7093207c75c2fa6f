using Akka.Actor;
using ActorPubSub.Tests.Topics;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Topics.Subscriptions;

/// <summary>The deliveries of a subscription: what is in flight until when, and what the deadline queue holds.</summary>
[Trait("Category", "Unit")]
public sealed class DeliveryTrackerSpec
{
    [Fact]
    public void Deadline_queue_should_hold_about_the_deliveries_in_flight_when_acks_come_in_order()
    {
        // arrange: 100,000 deliveries, at most 1,000 in flight, each acknowledged in order
        var tracker = new DeliveryTracker();
        var consumer = new ConsumerState(new StandInRef("c"), maxInFlight: 1000, lastSeen: 0);
        var failures = new Dictionary<long, DeliveryFailure>();
        var peak = 0;

        // act
        for (var seq = 1L; seq <= 100_000; seq++)
        {
            tracker.Start(seq, consumer, deadline: 30_000, failures);
            if (seq > 1000) tracker.Drop(seq - 1000);
            peak = Math.Max(peak, tracker.DeadlineEntries);
        }

        // assert: not every delivery of the ack deadline (100,000) but about the window
        Assert.InRange(peak, 1000, 1001);
        Assert.Equal(1000, tracker.InFlight);
    }

    [Fact]
    public void Deadline_queue_should_still_expire_a_delivery_behind_later_acked_ones()
    {
        // arrange: 1..3 in flight; 2 and 3 acknowledged, 1 hangs
        var tracker = new DeliveryTracker();
        var consumer = new ConsumerState(new StandInRef("c"), maxInFlight: 10, lastSeen: 0);
        var failures = new Dictionary<long, DeliveryFailure>();
        for (var seq = 1L; seq <= 3; seq++) tracker.Start(seq, consumer, deadline: 100, failures);
        tracker.Drop(2);
        tracker.Drop(3);

        // act / assert: before its deadline nothing expires; at it, only 1 does
        Assert.Null(tracker.NextExpired(99));
        Assert.Equal(1L, tracker.NextExpired(100));
        Assert.Null(tracker.NextExpired(100));
    }
}
