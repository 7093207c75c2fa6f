using ActorPubSub.Tests.Topics.Log;
using ActorPubSub.Topics;
using static ActorPubSub.Tests.Topics.TopicParts;

namespace ActorPubSub.Tests.Topics;

/// <summary>The subscription table: consumers, the pump that tells deliveries, acks, the clock, transient fan-out.</summary>
[Trait("Category", "Unit")]
public sealed class SubscriptionTableSpec
{
    private static Consume ConsumeBy(StandInRef consumer, string subscription = "billing", int window = 10) =>
        new(Topic, subscription, consumer, window);

    private static long[] Delivered(StandInRef consumer) =>
        [.. consumer.Received.OfType<Deliver>().SelectMany(d => d.Messages.Select(m => m.Sequence))];

    [Fact]
    public void Pump_should_tell_each_consumer_deliveries_up_to_the_written_log_within_its_window()
    {
        // arrange
        var table = Table(LogOf(5), subscriptions: ["billing"]);
        var sub = table.Get("billing");
        var consumer = new StandInRef("c");
        Assert.True(SubscriptionTable.Consume(sub, ConsumeBy(consumer, window: 3), now: 0));

        // act
        table.Pump(sub, now: 0);

        // assert
        Assert.Equal([1L, 2, 3], Delivered(consumer));
        Assert.Equal(3, sub.InFlight);
        Assert.True(table.AnyInFlight);
        Assert.False(SubscriptionTable.Consume(sub, ConsumeBy(consumer, window: 5), now: 1));   // a renewal
    }

    [Fact]
    public void StopDelivering_should_hold_back_every_further_delivery()
    {
        // arrange
        var table = Table(LogOf(2), subscriptions: ["billing"]);
        var sub = table.Get("billing");
        var consumer = new StandInRef("c");
        SubscriptionTable.Consume(sub, ConsumeBy(consumer), now: 0);

        // act
        table.StopDelivering();
        table.PumpAll(now: 0);

        // assert
        Assert.Empty(consumer.Received);
        Assert.False(table.Delivering);
    }

    [Fact]
    public void Ack_should_count_new_acks_within_the_log_and_hand_them_to_the_next_write()
    {
        // arrange
        var table = Table(LogOf(3), subscriptions: ["billing", "audit"]);
        var sub = table.Get("billing");
        var consumer = new StandInRef("c");

        // act
        var acked = table.Ack(sub, [1L, 2, 2, 9], consumer, now: 0);

        // assert: 9 is beyond the log and 2 counts once
        Assert.Equal(2, acked);
        Assert.Equal(2, table.UnflushedAcks);
        Assert.Equal(0, table.LowestWatermark());   // audit acknowledged nothing
        var acks = Assert.Single(table.TakeAcks()!.Acks);
        Assert.Equal("billing", acks.Subscription);
        Assert.Equal([1L, 2], acks.Sequences.ToArray());
        Assert.Null(table.TakeAcks());
    }

    [Fact]
    public void TickInterval_should_follow_the_shortest_ack_deadline_and_stop_when_nothing_waits()
    {
        // arrange: a 10 s deadline ticks every second (a tenth), never faster than tick-interval
        var settings = DefaultSettings();
        var table = Table(LogOf(1), settings);
        table.Add(new SubscriptionAdded("billing", 0, Config(ackDeadlineMs: 10_000)));
        var sub = table.Get("billing");
        Assert.Null(table.TickInterval());
        SubscriptionTable.Consume(sub, ConsumeBy(new StandInRef("c")), now: 0);

        // act
        table.Pump(sub, now: 0);

        // assert
        Assert.Equal(TimeSpan.FromTicks(Math.Max(settings.TickInterval.Ticks, TimeSpan.FromSeconds(1).Ticks)), table.TickInterval());
        table.Ack(sub, [1L], new StandInRef("c"), now: 1);
        Assert.Null(table.TickInterval());
    }

    [Fact]
    public void FanOut_should_fill_transient_windows_hold_a_window_more_and_drop_only_beyond_it()
    {
        // arrange
        var settings = DefaultSettings() with { TransientWindow = 2, TransientCreditPool = 2 };
        var table = Table(TestLogs.New(), settings, "billing");
        var sub = table.Get("billing");
        var consumer = new StandInRef("c");
        var publisher = new StandInRef("publisher");
        SubscriptionTable.Consume(sub, ConsumeBy(consumer), now: 0);

        // act
        var dropped = table.FanOut([Message(1), Message(2), Message(3), Message(4), Message(5)], publisher);

        // assert: 2 delivered, 2 wait, 1 dropped; the publisher gets credit for the 3 that went through
        Assert.Equal([1L, 2], Delivered(consumer));
        var (droppedFor, count) = Assert.Single(dropped);
        Assert.Equal(("billing", 1), (droppedFor.Name, count));
        Assert.Equal(1, sub.TransientDropped);
        Assert.Equal((publisher, 3), Assert.Single(table.TakeTransientCredits()));

        // the consumer reports done: the waiting ones go out, and their credit follows
        table.TransientDone(new TransientDone(Topic, "billing", 2), consumer);
        Assert.Equal([1L, 2, 3, 4], Delivered(consumer));
        Assert.Equal((publisher, 2), Assert.Single(table.TakeTransientCredits()));
        Assert.Empty(table.TakeTransientCredits());
    }

    [Fact]
    public void Waiting_transient_messages_should_go_out_in_delivery_batches()
    {
        // arrange: a window of 4 but deliveries of at most 2 messages
        var table = Table(TestLogs.New(), DefaultSettings() with { TransientWindow = 4, DeliverBatchMessages = 2 }, "billing");
        var consumer = new StandInRef("c");
        SubscriptionTable.Consume(table.Get("billing"), ConsumeBy(consumer), now: 0);
        table.FanOut([Message(1), Message(2), Message(3), Message(4)], new StandInRef("p"));
        table.FanOut([Message(5), Message(6), Message(7), Message(8)], new StandInRef("p"));

        // act
        table.TransientDone(new TransientDone(Topic, "billing", 4), consumer);

        // assert
        var waited = consumer.Received.OfType<Deliver>().Skip(1).ToList();
        Assert.Equal([2, 2], waited.Select(d => d.Messages.Length));
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8], Delivered(consumer));
    }

    [Fact]
    public void FanOut_should_pass_a_subscription_without_consumers_by_and_give_credit_at_once()
    {
        var table = Table(TestLogs.New(), DefaultSettings(), "idle");
        var publisher = new StandInRef("publisher");

        var dropped = table.FanOut([Message(1), Message(2)], publisher);

        Assert.Empty(dropped);
        Assert.Equal((publisher, 2), Assert.Single(table.TakeTransientCredits()));
    }

    [Fact]
    public void RemoveConsumer_should_give_its_deliveries_to_the_others()
    {
        // arrange
        var table = Table(LogOf(2), subscriptions: ["billing"]);
        var sub = table.Get("billing");
        var leaving = new StandInRef("leaving");
        var staying = new StandInRef("staying");
        SubscriptionTable.Consume(sub, ConsumeBy(leaving), now: 0);
        table.Pump(sub, now: 0);
        SubscriptionTable.Consume(sub, ConsumeBy(staying), now: 0);

        // act
        var left = table.RemoveConsumer(leaving, now: 1);

        // assert
        Assert.Same(sub, Assert.Single(left));
        Assert.False(table.IsConsumer(leaving));
        Assert.Equal([1L, 2], Delivered(staying));
    }
}
