using ActorPubSub.Tests.Topics.Log;
using Akka.Actor;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Topics;

namespace ActorPubSub.Tests.Topics.Subscriptions;

/// <summary>
/// One subscription's bookkeeping: watermark and out-of-order acks, deadlines, nacks, redelivery and the
/// pump that hands out batches. Time is driven explicitly (monotonic milliseconds); consumers are stand-in
/// references (no actor system).
/// </summary>
[Trait("Category", "Unit")]
public sealed class SubscriptionStateSpec : SubscriptionFixture
{
    // ---- acks and the watermark ------------------------------------------------------------------------

    [Fact]
    public void Ack_should_advance_the_watermark_over_out_of_order_acks()
    {
        // arrange
        var sub = Subscription();

        // act / assert: acks above a hole wait above the watermark
        Assert.True(sub.Ack(2));
        Assert.True(sub.Ack(3));
        Assert.True(sub.Ack(5));
        Assert.Equal(0, sub.Watermark);
        Assert.Equal([2L, 3, 5], sub.AckedAbove.Order());
        Assert.Equal(2, sub.Pending(5));
        Assert.False(sub.IsAcked(1));
        Assert.True(sub.IsAcked(3));

        // act / assert: filling the hole carries the watermark over every contiguous ack
        Assert.True(sub.Ack(1));
        Assert.Equal(3, sub.Watermark);
        Assert.Equal([5L], sub.AckedAbove);
        Assert.Equal(1, sub.Pending(5));
        Assert.True(sub.IsAcked(1));
        Assert.False(sub.IsAcked(4));

        Assert.True(sub.Ack(4));
        Assert.Equal(5, sub.Watermark);
        Assert.Empty(sub.AckedAbove);
        Assert.Equal(0, sub.Pending(5));
    }

    [Fact]
    public void Ack_should_return_false_for_what_is_already_acknowledged()
    {
        // arrange
        var sub = Subscription(watermark: 10);
        Assert.True(sub.Ack(12));

        // act
        var again = sub.Ack(12);
        var belowWatermark = sub.Ack(7);
        var atWatermark = sub.Ack(10);
        var zero = sub.Ack(0);

        // assert
        Assert.False(again);
        Assert.False(belowWatermark);
        Assert.False(atWatermark);
        Assert.False(zero);
        Assert.Equal(10, sub.Watermark);
        Assert.Equal(1, sub.UnflushedAckCount);   // only the one new ack goes to the journal
    }

    [Fact]
    public void Ack_should_count_a_sequence_this_incarnation_never_delivered()
    {
        // arrange: a consumer still acks a delivery it got from the topic before the topic restarted
        var sub = Subscription();

        // act
        var acked = sub.Ack(1);

        // assert
        Assert.True(acked);
        Assert.Equal(1, sub.Watermark);
        Assert.Equal([1L], sub.TakeUnflushedAcks());
    }

    [Fact]
    public void TakeUnflushedAcks_should_hand_out_each_new_ack_once()
    {
        // arrange
        var sub = Subscription();
        sub.Ack(3);
        sub.Ack(1);
        sub.RestoreAck(2);   // recovered acks are already in the journal

        // act
        var first = sub.TakeUnflushedAcks();
        var second = sub.TakeUnflushedAcks();

        // assert
        Assert.Equal([3L, 1], first);
        Assert.Empty(second);
        Assert.Equal(0, sub.UnflushedAckCount);
        Assert.Equal(3, sub.Watermark);
    }

    [Fact]
    public void Pending_should_not_go_below_zero()
    {
        // arrange: a subscription created at the latest sequence of a topic whose log is behind it
        var sub = Subscription(watermark: 20);

        // act / assert
        Assert.Equal(0, sub.Pending(15));
        Assert.Equal(5, sub.Pending(25));
    }

    // ---- pump: new messages, windows, batches ----------------------------------------------------------

    [Fact]
    public void Pump_should_deliver_new_messages_up_to_the_last_persisted_sequence()
    {
        // arrange
        var sub = Subscription();
        var log = LogOf(5);
        var a = sub.AddConsumer(Probe(), maxInFlight: 100, now: 0);

        // act
        var sent = Pump(sub, log, lastPersisted: 3, now: 0);

        // assert
        var batch = Assert.Single(sent);
        Assert.Same(a, batch.Consumer);
        Assert.Equal([1L, 2, 3], batch.Sequences);
        Assert.Equal([1, 1, 1], batch.Attempts);
        Assert.Equal(4, sub.Cursor);
        Assert.Equal(3, sub.InFlight);
        Assert.Equal(3, a.InFlight);
        Assert.False(sub.HasDelayedRedeliveries);   // in flight, but no nack waits for its delay
    }

    [Fact]
    public void Pump_should_do_nothing_without_consumers()
    {
        // arrange
        var sub = Subscription();

        // act
        var sent = Pump(sub, LogOf(3), lastPersisted: 3, now: 0);

        // assert
        Assert.Empty(sent);
        Assert.Equal(1, sub.Cursor);
        Assert.False(sub.HasDelayedRedeliveries);
    }

    [Fact]
    public void Pump_should_skip_messages_already_acknowledged()
    {
        // arrange
        var sub = Subscription();
        sub.Ack(2);
        sub.Ack(4);
        sub.AddConsumer(Probe(), maxInFlight: 100, now: 0);

        // act
        var sent = Pump(sub, LogOf(5), lastPersisted: 5, now: 0);

        // assert
        Assert.Equal([1L, 3, 5], Assert.Single(sent).Sequences);
    }

    [Fact]
    public void Pump_should_respect_each_consumers_max_in_flight()
    {
        // arrange
        var sub = Subscription();
        var log = LogOf(10);
        var a = sub.AddConsumer(Probe(), maxInFlight: 2, now: 0);
        var b = sub.AddConsumer(Probe(), maxInFlight: 3, now: 0);

        // act
        var sent = Pump(sub, log, lastPersisted: 10, now: 0);
        var whenFull = Pump(sub, log, lastPersisted: 10, now: 0);

        // assert
        Assert.Equal(2, sent.Where(s => s.Consumer == a).Sum(s => s.Sequences.Length));
        Assert.Equal(3, sent.Where(s => s.Consumer == b).Sum(s => s.Sequences.Length));
        Assert.Equal([1L, 2, 3, 4, 5], sent.SelectMany(s => s.Sequences).Order());
        Assert.Equal(0, a.Capacity);
        Assert.Equal(0, b.Capacity);
        Assert.Empty(whenFull);

        // act / assert: an ack makes room for exactly one more
        var acked = sent.First(s => s.Consumer == a).Sequences[0];
        Assert.True(sub.Ack(acked));
        var afterAck = Pump(sub, log, lastPersisted: 10, now: 0);
        var refill = Assert.Single(afterAck);
        Assert.Same(a, refill.Consumer);
        Assert.Equal([6L], refill.Sequences);
    }

    [Fact]
    public void Pump_should_take_turns_between_consumers_with_room()
    {
        // arrange
        var sub = Subscription();
        sub.AddConsumer(Probe(), maxInFlight: 4, now: 0);
        sub.AddConsumer(Probe(), maxInFlight: 4, now: 0);

        // act
        var sent = Pump(sub, LogOf(8), lastPersisted: 8, now: 0, maxBatch: 2);

        // assert: batches of 2, alternating
        Assert.Equal(4, sent.Count);
        Assert.All(sent, s => Assert.Equal(2, s.Sequences.Length));
        for (var i = 1; i < sent.Count; i++) Assert.NotSame(sent[i - 1].Consumer, sent[i].Consumer);
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), sent.SelectMany(s => s.Sequences));
    }

    [Fact]
    public void Pump_should_split_deliveries_into_batches_of_at_most_max_batch_messages()
    {
        // arrange
        var sub = Subscription();
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);

        // act
        var sent = Pump(sub, LogOf(7), lastPersisted: 7, now: 0, maxBatch: 3);

        // assert
        Assert.Equal([3, 3, 1], sent.Select(s => s.Sequences.Length));
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), sent.SelectMany(s => s.Sequences));
    }

    [Fact]
    public void Pump_should_close_a_batch_once_it_reaches_the_byte_limit()
    {
        // arrange: 100-byte messages, 250-byte batches (a batch may pass the limit by its last message)
        var sub = Subscription();
        sub.AddConsumer(Probe(), maxInFlight: 100, now: 0);

        // act
        var sent = Pump(sub, LogOf(7, size: 100), lastPersisted: 7, now: 0, maxBatchBytes: 250);

        // assert
        Assert.Equal([3, 3, 1], sent.Select(s => s.Sequences.Length));
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), sent.SelectMany(s => s.Sequences));
    }

    [Fact]
    public void Pump_should_send_a_message_larger_than_the_byte_limit_alone()
    {
        // arrange
        var sub = Subscription();
        sub.AddConsumer(Probe(), maxInFlight: 100, now: 0);
        _log.Append(Message(1, size: 1000));
        _log.Append(Message(2, size: 10));
        _log.Append(Message(3, size: 10));

        // act
        var sent = Pump(sub, _log, lastPersisted: 3, now: 0, maxBatchBytes: 250);

        // assert
        Assert.Equal([[1L], [2L, 3]], sent.Select(s => s.Sequences));
    }

    // ---- deadlines, nacks and redelivery ---------------------------------------------------------------

    [Fact]
    public void Tick_should_expire_a_delivery_at_its_ack_deadline_into_a_redelivery()
    {
        // arrange
        var sub = Subscription();
        var log = LogOf(1);
        var a = sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);

        // act / assert: not yet
        Tick(sub, DeadlineMs - 1);
        Assert.Equal(1, sub.InFlight);
        Assert.Empty(Pump(sub, log, lastPersisted: 1, now: DeadlineMs - 1));

        // act / assert: at the deadline it is taken back and delivered again with the next attempt number
        Tick(sub, DeadlineMs);
        Assert.Equal(0, sub.InFlight);
        Assert.Equal(0, a.InFlight);
        var again = Assert.Single(Pump(sub, log, lastPersisted: 1, now: DeadlineMs));
        Assert.Equal([1L], again.Sequences);
        Assert.Equal([2], again.Attempts);
    }

    [Fact]
    public void Tick_should_not_expire_a_redelivery_by_the_deadline_of_its_earlier_attempt()
    {
        // arrange: delivered at 0 (deadline 1000), nacked and redelivered at 500 (deadline 1500)
        var sub = Subscription();
        var log = LogOf(1);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);
        Nack(sub, 1, delayMs: 0, now: 500);
        Assert.Equal([2], Assert.Single(Pump(sub, log, lastPersisted: 1, now: 500)).Attempts);

        // act / assert
        Tick(sub, DeadlineMs);
        Assert.Equal(1, sub.InFlight);
        Assert.Empty(Pump(sub, log, lastPersisted: 1, now: DeadlineMs));

        Tick(sub, 500 + DeadlineMs);
        Assert.Equal(0, sub.InFlight);
        Assert.Equal([3], Assert.Single(Pump(sub, log, lastPersisted: 1, now: 500 + DeadlineMs)).Attempts);
    }

    [Fact]
    public void Ack_should_free_the_consumers_window_and_cancel_the_redelivery()
    {
        // arrange
        var sub = Subscription();
        var log = LogOf(1);
        var a = sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);

        // act
        var acked = sub.Ack(1);
        Tick(sub, 10 * DeadlineMs);

        // assert
        Assert.True(acked);
        Assert.Equal(0, sub.InFlight);
        Assert.Equal(10, a.Capacity);
        Assert.False(sub.HasDelayedRedeliveries);
        Assert.Empty(Pump(sub, log, lastPersisted: 1, now: 10 * DeadlineMs));
    }

    [Fact]
    public void Nack_should_redeliver_once_its_delay_is_due()
    {
        // arrange
        var sub = Subscription();
        var log = LogOf(1);
        var a = sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);

        // act
        Nack(sub, 1, delayMs: 300, now: 100);

        // assert: released at once, redelivered only when due
        Assert.Equal(0, sub.InFlight);
        Assert.Equal(0, a.InFlight);
        Assert.True(sub.HasDelayedRedeliveries);
        Assert.Empty(Pump(sub, log, lastPersisted: 1, now: 100));
        Tick(sub, 399);
        Assert.Empty(Pump(sub, log, lastPersisted: 1, now: 399));
        Tick(sub, 400);
        var again = Assert.Single(Pump(sub, log, lastPersisted: 1, now: 400));
        Assert.Equal([1L], again.Sequences);
        Assert.Equal([2], again.Attempts);
    }

    [Fact]
    public void Nack_without_delay_should_make_the_delivery_ready_at_once()
    {
        // arrange
        var sub = Subscription();
        var log = LogOf(1);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);

        // act
        Nack(sub, 1, delayMs: 0, now: 5);

        // assert
        var again = Assert.Single(Pump(sub, log, lastPersisted: 1, now: 5));
        Assert.Equal([2], again.Attempts);
    }

    [Fact]
    public void Nack_should_ignore_a_sequence_that_is_not_in_flight()
    {
        // arrange
        var sub = Subscription();
        var log = LogOf(2);
        var a = sub.AddConsumer(Probe(), maxInFlight: 1, now: 0);
        Pump(sub, log, lastPersisted: 2, now: 0);   // 1 is in flight, 2 waits for room
        Nack(sub, 1, delayMs: 1000, now: 0);

        // act: a second nack of 1 (not in flight any more), and a nack of 2 (never delivered)
        Nack(sub, 1, delayMs: 0, now: 0);
        Nack(sub, 2, delayMs: 0, now: 0);

        // assert: nothing went negative, 1 still waits for its delay, so 2 goes first
        Assert.Equal(0, sub.InFlight);
        Assert.Equal(0, a.InFlight);
        var next = Assert.Single(Pump(sub, log, lastPersisted: 2, now: 0));
        Assert.Equal([2L], next.Sequences);
        Assert.Equal([1], next.Attempts);
    }

    [Fact]
    public void Ack_should_cancel_a_delayed_redelivery()
    {
        // arrange
        var sub = Subscription();
        var log = LogOf(1);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);
        Nack(sub, 1, delayMs: 300, now: 0);

        // act: the handler succeeded after all (its ack overtook the retry)
        Assert.True(sub.Ack(1));
        Tick(sub, 300);

        // assert
        Assert.Empty(Pump(sub, log, lastPersisted: 1, now: 300));
        Assert.False(sub.HasDelayedRedeliveries);
    }

    [Fact]
    public void Ack_should_cancel_a_redelivery_that_is_ready()
    {
        // arrange: 1 timed out and waits for a consumer with room
        var sub = Subscription();
        var log = LogOf(1);
        var a = sub.AddConsumer(Probe(), maxInFlight: 1, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);
        Tick(sub, DeadlineMs);

        // act: the slow handler's ack arrives after all
        var acked = sub.Ack(1);

        // assert
        Assert.True(acked);
        Assert.Empty(Pump(sub, log, lastPersisted: 1, now: DeadlineMs));
        Assert.Equal(1, a.Capacity);
    }

    [Fact]
    public void Pump_should_send_redeliveries_before_new_messages()
    {
        // arrange
        var sub = Subscription();
        var log = LogOf(3);
        sub.AddConsumer(Probe(), maxInFlight: 1, now: 0);
        Pump(sub, log, lastPersisted: 3, now: 0);

        // act
        Nack(sub, 1, delayMs: 0, now: 0);
        var sent = Pump(sub, log, lastPersisted: 3, now: 0);

        // assert
        var again = Assert.Single(sent);
        Assert.Equal([1L], again.Sequences);
        Assert.Equal([2], again.Attempts);
    }

    [Fact]
    public void Pump_should_redeliver_to_a_different_consumer_when_one_has_room()
    {
        // arrange: b got 1 and a got 2 (batches of one, b's turn first)
        var sub = Subscription();
        var log = LogOf(2);
        var a = sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        var b = sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        var first = Pump(sub, log, lastPersisted: 2, now: 0, maxBatch: 1);
        Assert.Equal([(b, 1L), (a, 2L)], first.Select(s => (s.Consumer, s.Sequences.Single())));

        // act: b gives 1 back; b's turn comes first again, and b still has room
        Nack(sub, 1, delayMs: 0, now: 0);
        var sent = Pump(sub, log, lastPersisted: 2, now: 0);

        // assert: b passes it over, a gets it
        var again = Assert.Single(sent);
        Assert.Same(a, again.Consumer);
        Assert.Equal([1L], again.Sequences);
        Assert.Equal([2], again.Attempts);
        Assert.Equal(0, b.InFlight);
    }

    [Fact]
    public void Pump_should_redeliver_to_a_different_consumer_after_a_deadline_too()
    {
        // arrange: b got 1 and a got 2, and neither acked
        var sub = Subscription();
        var log = LogOf(2);
        var a = sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        var b = sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 2, now: 0, maxBatch: 1);

        // act
        Tick(sub, DeadlineMs);
        var sent = Pump(sub, log, lastPersisted: 2, now: DeadlineMs);

        // assert: each gets the other's
        Assert.Equal([(b, 2L, 2), (a, 1L, 2)], sent.Select(s => (s.Consumer, s.Sequences.Single(), s.Attempts.Single())));
    }

    [Fact]
    public void Pump_should_redeliver_to_the_same_consumer_when_no_other_has_room()
    {
        // arrange: a got 1; b is full with 2
        var sub = Subscription();
        var log = LogOf(2);
        var a = sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);
        var b = sub.AddConsumer(Probe(), maxInFlight: 1, now: 0);
        Assert.Same(b, Assert.Single(Pump(sub, log, lastPersisted: 2, now: 0)).Consumer);

        // act
        Nack(sub, 1, delayMs: 0, now: 0);
        var sent = Pump(sub, log, lastPersisted: 2, now: 0);

        // assert
        var again = Assert.Single(sent);
        Assert.Same(a, again.Consumer);
        Assert.Equal([1L], again.Sequences);
        Assert.Equal([2], again.Attempts);
    }

    // ---- consumers leaving ---------------------------------------------------------------------------

    [Fact]
    public void RemoveConsumer_should_make_its_in_flight_deliveries_ready_for_the_others()
    {
        // arrange
        var sub = Subscription();
        var log = LogOf(3);
        var gone = Probe();
        sub.AddConsumer(gone, maxInFlight: 3, now: 0);
        Pump(sub, log, lastPersisted: 3, now: 0);
        var b = sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);

        // act
        var removed = sub.RemoveConsumer(gone);

        // assert: back at once, without waiting for the ack deadline
        Assert.True(removed);
        Assert.Null(sub.FindConsumer(gone));
        Assert.Equal([b], sub.Consumers);
        Assert.Equal(0, sub.InFlight);
        var again = Assert.Single(Pump(sub, log, lastPersisted: 3, now: 1));
        Assert.Same(b, again.Consumer);
        Assert.Equal([1L, 2, 3], again.Sequences);
        Assert.Equal([2, 2, 2], again.Attempts);
        Assert.False(sub.RemoveConsumer(gone));
    }

    [Fact]
    public void RemoveConsumer_should_not_release_a_late_deadline_twice()
    {
        // arrange: a removed consumer's delivery went to b; a's old deadline passes
        var sub = Subscription();
        var log = LogOf(1);
        var gone = Probe();
        sub.AddConsumer(gone, maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);
        sub.RemoveConsumer(gone);
        var b = sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 500);

        // act
        Tick(sub, DeadlineMs);

        // assert: b keeps it until its own deadline
        Assert.Equal(1, b.InFlight);
        Assert.Equal(1, sub.InFlight);
        Tick(sub, 500 + DeadlineMs);
        Assert.Equal(0, b.InFlight);
    }

    [Fact]
    public void ExpireConsumers_should_remove_only_consumers_silent_since_before_the_cutoff()
    {
        // arrange
        var sub = Subscription();
        var log = LogOf(2);
        var silentRef = Probe();
        var silent = sub.AddConsumer(silentRef, maxInFlight: 1, now: 100);
        var fresh = sub.AddConsumer(Probe(), maxInFlight: 1, now: 500);
        Pump(sub, log, lastPersisted: 2, now: 500);
        var silentHad = silent.InFlight;

        // act
        sub.ExpireConsumers(silentSince: 500);

        // assert
        Assert.Equal(1, silentHad);
        Assert.Equal([fresh], sub.Consumers);
        Assert.Null(sub.FindConsumer(silentRef));
        Assert.Equal(1, sub.InFlight);   // only fresh's delivery is still out
        fresh.MaxInFlight = 2;
        var again = Assert.Single(Pump(sub, log, lastPersisted: 2, now: 600));
        Assert.Same(fresh, again.Consumer);
        Assert.Equal([2], again.Attempts);
    }
}
