using ActorPubSub.Tests.Topics.Log;
using System.Collections.Immutable;
using Akka.Actor;
using ActorPubSub.DeadLetters;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Topics;
using FailOutcome = ActorPubSub.Topics.Subscriptions.SubscriptionState.FailOutcome;

namespace ActorPubSub.Tests.Topics.Subscriptions;

/// <summary>
/// Delivery supervision inside one subscription: failures with their attempt counts and backoff, dead-letter
/// transfers and their confirmation, failures restored from the journal, redrive, per-key ordering, header
/// filters and seek. Time is driven explicitly (monotonic milliseconds; the UTC clock is <c>At</c> plus the
/// same milliseconds unless a test says otherwise); consumers are stand-in references (no actor system).
/// </summary>
[Trait("Category", "Unit")]
public sealed class SubscriptionSupervisionSpec : SubscriptionFixture
{
    // ---- failures ----------------------------------------------------------------------------------------

    [Fact]
    public void Fail_with_a_delay_should_retry_after_it_with_the_next_attempt()
    {
        // arrange
        var sub = Subscription();
        var log = LogOf(1);
        var a = sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);

        // act
        var outcome = Nack(sub, 1, delayMs: 300, now: 100);

        // assert: released at once, due 300 ms after the failure, then delivered as attempt 2
        Assert.Equal(FailOutcome.Retry, outcome);
        Assert.Equal(0, sub.InFlight);
        Assert.Equal(0, a.InFlight);
        Assert.Equal(At.AddMilliseconds(400), Assert.Single(sub.Failures).RetryAt);
        Tick(sub, 399);
        Assert.Empty(Pump(sub, log, lastPersisted: 1, now: 399));
        Tick(sub, 400);
        var again = Assert.Single(Pump(sub, log, lastPersisted: 1, now: 400));
        Assert.Equal([1L], again.Sequences);
        Assert.Equal([2], again.Attempts);
    }

    [Fact]
    public void Fail_without_a_delay_should_wait_for_the_configured_backoff_with_jitter()
    {
        // arrange: backoff 100 ms doubling per attempt, ±20% jitter
        var sub = Subscription();
        var log = LogOf(1);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);

        // act
        var outcome = FailWithBackoff(sub, 1, now: 0);

        // assert: the first wait is 80..120 ms, and the retry waits for exactly that
        Assert.Equal(FailOutcome.Retry, outcome);
        var first = Assert.Single(Assert.IsType<DeliveriesFailed>(Assert.Single(_events)).Failures);
        var firstWait = first.RetryAt - first.LastFailure;
        Assert.InRange(firstWait, TimeSpan.FromMilliseconds(80), TimeSpan.FromMilliseconds(120));
        var firstWaitMs = (long)firstWait.TotalMilliseconds;
        Tick(sub, firstWaitMs - 1);
        Assert.Empty(Pump(sub, log, lastPersisted: 1, now: firstWaitMs - 1));
        Tick(sub, firstWaitMs);
        Assert.Equal([2], Assert.Single(Pump(sub, log, lastPersisted: 1, now: firstWaitMs)).Attempts);

        // act / assert: after the second failed attempt the base doubles (160..240 ms)
        FailWithBackoff(sub, 1, now: firstWaitMs);
        var second = Assert.Single(Assert.IsType<DeliveriesFailed>(_events[^1]).Failures);
        Assert.Equal(2, second.Attempts);
        Assert.InRange(second.RetryAt - second.LastFailure, TimeSpan.FromMilliseconds(160), TimeSpan.FromMilliseconds(240));
    }

    [Fact]
    public void Fail_should_emit_DeliveriesFailed_with_attempts_failure_times_retry_time_and_error()
    {
        // arrange
        var sub = Subscription();
        var log = LogOf(1);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);

        // act
        Nack(sub, 1, delayMs: 250, now: 100, error: "handler threw");

        // assert
        var failed = Assert.IsType<DeliveriesFailed>(Assert.Single(_events));
        var failure = Assert.Single(failed.Failures);
        Assert.Equal(new DeliveryFailure("billing", 1, Attempts: 1, FirstFailure: At.AddMilliseconds(100),
            LastFailure: At.AddMilliseconds(100), RetryAt: At.AddMilliseconds(350), "handler threw"), failure);
        Assert.Equal([failure], sub.Failures);
    }

    [Fact]
    public void Fail_should_keep_the_first_failure_time_across_failures()
    {
        // arrange
        var sub = Subscription();
        var log = LogOf(1);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);
        Nack(sub, 1, delayMs: 0, now: 100);
        Pump(sub, log, lastPersisted: 1, now: 100);

        // act
        Nack(sub, 1, delayMs: 0, now: 700);

        // assert
        var failures = _events.Select(e => Assert.Single(Assert.IsType<DeliveriesFailed>(e).Failures)).ToList();
        Assert.Equal([1, 2], failures.Select(f => f.Attempts));
        Assert.Equal(At.AddMilliseconds(100), failures[1].FirstFailure);
        Assert.Equal(At.AddMilliseconds(700), failures[1].LastFailure);
        Assert.Equal([failures[1]], sub.Failures);
    }

    [Fact]
    public void Tick_should_count_an_expired_ack_deadline_as_a_failed_attempt()
    {
        // arrange
        var sub = Subscription();
        var log = LogOf(1);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);

        // act
        Tick(sub, DeadlineMs);

        // assert: recorded like a nack without delay
        var failure = Assert.Single(Assert.IsType<DeliveriesFailed>(Assert.Single(_events)).Failures);
        Assert.Equal(1, failure.Sequence);
        Assert.Equal(1, failure.Attempts);
        Assert.Equal(At.AddMilliseconds(DeadlineMs), failure.FirstFailure);
        Assert.Equal(At.AddMilliseconds(DeadlineMs), failure.LastFailure);
        Assert.Equal(At.AddMilliseconds(DeadlineMs), failure.RetryAt);
        Assert.Contains("ack deadline", failure.Error);

        // act / assert: the attempt count grows with every expiry
        Assert.Equal([2], Assert.Single(Pump(sub, log, lastPersisted: 1, now: DeadlineMs)).Attempts);
        Tick(sub, 2 * DeadlineMs);
        var second = Assert.Single(Assert.IsType<DeliveriesFailed>(_events[^1]).Failures);
        Assert.Equal(2, second.Attempts);
        Assert.Equal(At.AddMilliseconds(DeadlineMs), second.FirstFailure);
        Assert.Equal([3], Assert.Single(Pump(sub, log, lastPersisted: 1, now: 2 * DeadlineMs)).Attempts);
    }

    [Fact]
    public void Fail_should_be_stale_for_a_delivery_that_is_not_in_flight()
    {
        // arrange: 1 waits for its retry, 2 was never delivered (no room), 3 is not in the log
        var sub = Subscription();
        LogOf(2);
        sub.AddConsumer(Probe(), maxInFlight: 1, now: 0);
        Pump(sub, _log, lastPersisted: 2, now: 0);
        Nack(sub, 1, delayMs: 1000, now: 0);
        var failure = Assert.Single(sub.Failures);
        _events.Clear();

        // act
        var waiting = Nack(sub, 1, delayMs: 0, now: 10);
        var neverDelivered = Nack(sub, 2, delayMs: 0, now: 10);
        var unknown = Nack(sub, 3, delayMs: 0, now: 10, unprocessable: true);

        // assert
        Assert.Equal(FailOutcome.Stale, waiting);
        Assert.Equal(FailOutcome.Stale, neverDelivered);
        Assert.Equal(FailOutcome.Stale, unknown);
        Assert.Empty(_events);
        Assert.Equal([failure], sub.Failures);
        Assert.Empty(sub.Transfers);
        Assert.Equal(0, sub.InFlight);
    }

    [Fact]
    public void Fail_should_be_stale_for_an_acknowledged_delivery()
    {
        // arrange: the ack overtook the consumer's nack
        var sub = Subscription();
        var log = LogOf(1);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);
        Assert.True(sub.Ack(1));

        // act
        var nacked = Nack(sub, 1, delayMs: 0, now: 10);
        var unprocessable = Nack(sub, 1, delayMs: 0, now: 10, unprocessable: true);

        // assert
        Assert.Equal(FailOutcome.Stale, nacked);
        Assert.Equal(FailOutcome.Stale, unprocessable);
        Assert.Empty(_events);
        Assert.Empty(sub.Failures);
        Assert.Empty(sub.Transfers);
        Assert.True(sub.IsAcked(1));
        Assert.Empty(Pump(sub, log, lastPersisted: 1, now: 10));
    }

    // ---- dead letters --------------------------------------------------------------------------------------

    [Fact]
    public void Fail_should_dead_letter_a_message_at_its_max_delivery_attempts_th_failure()
    {
        // arrange: 3 attempts allowed; the first two fail and are retried
        var sub = Subscription(maxDeliveryAttempts: 3);
        var log = LogOf(1);
        var a = sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            Assert.Equal([attempt], Assert.Single(Pump(sub, log, lastPersisted: 1, now: attempt * 100)).Attempts);
            Assert.Equal(FailOutcome.Retry, Nack(sub, 1, delayMs: 0, now: attempt * 100));
        }
        Assert.Equal([3], Assert.Single(Pump(sub, log, lastPersisted: 1, now: 300)).Attempts);

        // act
        var outcome = Nack(sub, 1, delayMs: 0, now: 300, error: "still broken");

        // assert
        Assert.Equal(FailOutcome.DeadLettered, outcome);
        Assert.Equal(2, _events.OfType<DeliveriesFailed>().Count());
        var dead = Assert.IsType<MessagesDeadLettered>(_events[^1]);
        Assert.Equal("billing", dead.Subscription);
        var transfer = Assert.Single(dead.Transfers);
        Assert.Equal(new DeadLetterTransfer(1, 1, Attempts: 3, FirstFailure: At.AddMilliseconds(100),
            LastFailure: At.AddMilliseconds(300), "still broken", DeadLetterReason.MaxDeliveryAttempts), transfer);
        Assert.Equal([transfer], sub.Transfers);
        Assert.Equal(1, sub.LastTransferId);
        Assert.Empty(sub.Failures);
        Assert.Equal(0, sub.InFlight);
        Assert.Equal(0, a.InFlight);
    }

    [Fact]
    public void Fail_should_number_dead_letter_transfers_1_2_3()
    {
        // arrange: every failure is the last one
        var sub = Subscription(maxDeliveryAttempts: 1);
        var log = LogOf(3);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 3, now: 0);

        // act
        var outcomes = new[] { 2L, 1, 3 }.Select(seq => Nack(sub, seq, delayMs: 0, now: 10)).ToList();

        // assert
        Assert.All(outcomes, o => Assert.Equal(FailOutcome.DeadLettered, o));
        var transfers = _events.Select(e => Assert.Single(Assert.IsType<MessagesDeadLettered>(e).Transfers)).ToList();
        Assert.Equal([1L, 2, 3], transfers.Select(t => t.Id));
        Assert.Equal([2L, 1, 3], transfers.Select(t => t.Sequence));
        Assert.All(transfers, t => Assert.Equal(DeadLetterReason.MaxDeliveryAttempts, t.Reason));
        Assert.All(transfers, t => Assert.Equal(1, t.Attempts));
        Assert.Equal(transfers, sub.Transfers);
        Assert.Equal(3, sub.LastTransferId);
    }

    [Fact]
    public void Fail_of_an_unprocessable_message_should_dead_letter_it_at_once()
    {
        // arrange: plenty of attempts left; one ordinary failure before
        var sub = Subscription();
        var log = LogOf(1);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);
        Nack(sub, 1, delayMs: 0, now: 10);
        Pump(sub, log, lastPersisted: 1, now: 10);
        _events.Clear();

        // act
        var outcome = Nack(sub, 1, delayMs: 5000, now: 50, unprocessable: true, error: "bad schema");

        // assert: no retry is scheduled, whatever delay came with it
        Assert.Equal(FailOutcome.DeadLettered, outcome);
        var transfer = Assert.Single(Assert.IsType<MessagesDeadLettered>(Assert.Single(_events)).Transfers);
        Assert.Equal(new DeadLetterTransfer(1, 1, Attempts: 2, FirstFailure: At.AddMilliseconds(10),
            LastFailure: At.AddMilliseconds(50), "bad schema", DeadLetterReason.Unprocessable), transfer);
        Assert.Empty(sub.Failures);
        Assert.False(sub.HasDelayedRedeliveries);
    }

    [Fact]
    public void A_dead_lettered_message_should_never_be_delivered_again()
    {
        // arrange
        var sub = Subscription();
        var log = LogOf(2);
        var a = sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 2, now: 0);

        // act
        Nack(sub, 1, delayMs: 0, now: 0, unprocessable: true);

        // assert: not by the pump, not after 2's deadline, not to a new consumer, not after a long time
        Assert.Empty(Pump(sub, log, lastPersisted: 2, now: 0));
        Tick(sub, DeadlineMs);
        Assert.Equal([2L], Assert.Single(Pump(sub, log, lastPersisted: 2, now: DeadlineMs)).Sequences);
        sub.RemoveConsumer(a.Actor);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: DeadlineMs);
        Tick(sub, 100 * DeadlineMs);
        var later = Pump(sub, log, lastPersisted: 2, now: 100 * DeadlineMs);
        Assert.DoesNotContain(1L, later.SelectMany(s => s.Sequences));
        Assert.DoesNotContain(_events, e => e is DeliveriesFailed f && f.Failures.Any(x => x.Sequence == 1));
    }

    [Fact]
    public void Ack_of_a_dead_lettered_message_should_return_false_and_not_acknowledge_it()
    {
        // arrange: the handler finishes after its message was dead-lettered
        var sub = Subscription();
        var log = LogOf(1);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);
        Tick(sub, DeadlineMs);
        Pump(sub, log, lastPersisted: 1, now: DeadlineMs);
        Nack(sub, 1, delayMs: 0, now: DeadlineMs, unprocessable: true);

        // act
        var acked = sub.Ack(1);

        // assert
        Assert.False(acked);
        Assert.False(sub.IsAcked(1));
        Assert.Equal(0, sub.Watermark);
        Assert.Equal(0, sub.UnflushedAckCount);
        Assert.Equal(1, sub.Pending(1));
        Assert.Single(sub.Transfers);
    }

    [Fact]
    public void ConfirmTransfers_should_acknowledge_dead_lettered_messages_up_to_the_confirmed_id()
    {
        // arrange: 1 and 2 dead-lettered (transfers 1 and 2), 3 acknowledged
        var sub = Subscription();
        var log = LogOf(3);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 3, now: 0);
        Nack(sub, 1, delayMs: 0, now: 0, unprocessable: true);
        Nack(sub, 2, delayMs: 0, now: 0, unprocessable: true);
        Assert.True(sub.Ack(3));
        Assert.Equal(2, sub.Pending(3));   // pending until the store confirms

        // act / assert
        Assert.True(sub.ConfirmTransfers(1));
        Assert.Equal(1, sub.Watermark);
        Assert.Equal(1, sub.Pending(3));
        Assert.Equal([2L], sub.Transfers.Select(t => t.Id));

        Assert.True(sub.ConfirmTransfers(2));
        Assert.Equal(3, sub.Watermark);
        Assert.Equal(0, sub.Pending(3));
        Assert.Empty(sub.Transfers);
        // the confirmation is journaled as DeadLettersConfirmed, not as acks: only the consumer's ack of 3 is queued
        Assert.Equal([3L], sub.TakeUnflushedAcks());
    }

    [Fact]
    public void ConfirmTransfers_below_the_first_unconfirmed_id_should_do_nothing()
    {
        // arrange: transfer 1 confirmed, transfer 2 not
        var sub = Subscription(maxDeliveryAttempts: 1);
        var log = LogOf(2);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 2, now: 0);
        Nack(sub, 1, delayMs: 0, now: 0);
        Assert.True(sub.ConfirmTransfers(1));
        Nack(sub, 2, delayMs: 0, now: 0);

        // act
        var again = sub.ConfirmTransfers(1);
        var zero = sub.ConfirmTransfers(0);

        // assert
        Assert.False(again);
        Assert.False(zero);
        Assert.Equal([2L], sub.Transfers.Select(t => t.Id));
        Assert.False(sub.IsAcked(2));
        Assert.Equal(1, sub.Watermark);
        Assert.Equal(1, sub.Pending(2));
    }

    [Fact]
    public void MarkTransfersPersisted_should_move_the_persisted_transfer_id_forward_only()
    {
        // arrange: a dead-lettering is not persisted until its journal write says so
        var sub = Subscription(maxDeliveryAttempts: 1);
        var log = LogOf(3);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 3, now: 0);
        foreach (var seq in new[] { 1L, 2, 3 }) Nack(sub, seq, delayMs: 0, now: 0);
        Assert.Equal(3, sub.LastTransferId);
        Assert.Equal(0, sub.PersistedTransferId);

        // act / assert
        sub.MarkTransfersPersisted(2);
        Assert.Equal(2, sub.PersistedTransferId);
        sub.MarkTransfersPersisted(1);   // a late write confirmation of an earlier event
        Assert.Equal(2, sub.PersistedTransferId);
        sub.MarkTransfersPersisted(3);
        Assert.Equal(3, sub.PersistedTransferId);
        Assert.Equal(3, sub.Transfers.Count);   // persisting is not confirming
    }

    [Fact]
    public void ApplyDeadLettered_should_skip_transfers_it_already_applied()
    {
        // arrange: recovered from a snapshot that holds transfer 1 (message 1)
        var sub = Subscription();
        LogOf(2);
        var first = Transfer(1, sequence: 1);
        var second = Transfer(2, sequence: 2);
        sub.ApplyDeadLettered(first);
        sub.RestoreTransferIds(1);

        // act: the journal after the snapshot replays an event with transfers 1 and 2
        sub.ApplyDeadLettered(first);
        sub.ApplyDeadLettered(second);

        // assert
        Assert.Equal([first, second], sub.Transfers);
        Assert.Equal(2, sub.LastTransferId);
        Assert.Equal(1, sub.PersistedTransferId);
        Assert.Equal(2, sub.Pending(2));

        // act / assert: nor does a replayed transfer take back a confirmed one
        Assert.True(sub.ConfirmTransfers(2));
        sub.ApplyDeadLettered(first);
        Assert.Empty(sub.Transfers);
        Assert.Equal(2, sub.Watermark);
    }

    // ---- restored failures ---------------------------------------------------------------------------------

    [Fact]
    public void RestoreFailure_should_retry_at_its_retry_time_with_the_next_attempt()
    {
        // arrange: message 1 failed 3 times; the topic recovers on a node whose monotonic clock reads 7 when
        // the UTC clock reads At + 10 s, and the retry is due at At + 10.5 s
        var sub = Subscription();
        var log = LogOf(2);
        var failure = new DeliveryFailure("billing", 1, 3, At, At.AddSeconds(9), At.AddSeconds(10.5), "boom");

        // act
        sub.RestoreFailure(failure, now: 7, utcNow: At.AddSeconds(10));
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 7);

        // assert: 2 goes now, 1 waits until monotonic 507 and is attempt 4
        Assert.Equal([failure], sub.Failures);
        Assert.Equal([2L], Assert.Single(Pump(sub, log, lastPersisted: 2, now: 7)).Sequences);
        Tick(sub, 506);
        Assert.Empty(Pump(sub, log, lastPersisted: 2, now: 506));
        Tick(sub, 507);
        var retry = Assert.Single(Pump(sub, log, lastPersisted: 2, now: 507));
        Assert.Equal([1L], retry.Sequences);
        Assert.Equal([4], retry.Attempts);
    }

    [Fact]
    public void RestoreFailure_with_a_retry_time_in_the_past_should_retry_at_the_next_tick()
    {
        // arrange
        var sub = Subscription();
        var log = LogOf(1);
        var failure = new DeliveryFailure("billing", 1, 1, At, At, At.AddSeconds(1), "boom");

        // act
        sub.RestoreFailure(failure, now: 0, utcNow: At.AddMinutes(5));
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Tick(sub, 0);

        // assert
        Assert.Equal([2], Assert.Single(Pump(sub, log, lastPersisted: 1, now: 0)).Attempts);
    }

    [Fact]
    public void RestoreFailure_should_wait_for_the_latest_retry_time_when_a_message_failed_more_than_once()
    {
        // arrange: the journal holds two DeliveriesFailed of message 1: attempt 1 (its retry long due) and
        // attempt 2 (its retry 500 ms ahead when the topic recovers at monotonic 0 = At)
        var sub = Subscription();
        var log = LogOf(1);
        var firstFailure = new DeliveryFailure("billing", 1, 1, At.AddSeconds(-3), At.AddSeconds(-3), At.AddSeconds(-2), "boom");
        var secondFailure = new DeliveryFailure("billing", 1, 2, At.AddSeconds(-3), At.AddSeconds(-1), At.AddMilliseconds(500), "boom");

        // act
        sub.RestoreFailure(firstFailure, now: 0, utcNow: At);
        sub.RestoreFailure(secondFailure, now: 0, utcNow: At);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);

        // assert: the superseded retry time does not bring the retry forward
        Assert.Equal([secondFailure], sub.Failures);
        Tick(sub, 0);
        Assert.Empty(Pump(sub, log, lastPersisted: 1, now: 0));
        Tick(sub, 499);
        Assert.Empty(Pump(sub, log, lastPersisted: 1, now: 499));
        Tick(sub, 500);
        Assert.Equal([3], Assert.Single(Pump(sub, log, lastPersisted: 1, now: 500)).Attempts);
    }

    [Fact]
    public void RestoreFailure_of_an_acknowledged_message_should_be_ignored()
    {
        // arrange: an ack written before the failure event (acks flushed first on replay)
        var sub = Subscription();
        var log = LogOf(2);
        sub.RestoreAck(1);

        // act
        sub.RestoreFailure(new DeliveryFailure("billing", 1, 2, At, At, At.AddMilliseconds(100), "boom"), now: 0, utcNow: At);

        // assert
        Assert.Empty(sub.Failures);
        Assert.False(sub.HasDelayedRedeliveries);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Assert.Equal([2L], Assert.Single(Pump(sub, log, lastPersisted: 2, now: 0)).Sequences);
        Tick(sub, 100);
        Assert.Empty(Pump(sub, log, lastPersisted: 2, now: 100));
    }

    [Fact]
    public void RestoreAck_after_RestoreFailure_should_clear_the_failure()
    {
        // arrange: the failure was written, then the ack of a later attempt
        var sub = Subscription();
        var log = LogOf(2);
        sub.RestoreFailure(new DeliveryFailure("billing", 1, 2, At, At, At.AddMilliseconds(100), "boom"), now: 0, utcNow: At);

        // act
        sub.RestoreAck(1);

        // assert
        Assert.Empty(sub.Failures);
        Assert.True(sub.IsAcked(1));
        Assert.Equal(0, sub.UnflushedAckCount);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Assert.Equal([2L], Assert.Single(Pump(sub, log, lastPersisted: 2, now: 0)).Sequences);
        Tick(sub, 100);
        Assert.Empty(Pump(sub, log, lastPersisted: 2, now: 100));
    }

    // ---- redrive -------------------------------------------------------------------------------------------

    [Fact]
    public void Redrive_of_a_message_with_an_unconfirmed_transfer_should_make_it_ready_with_attempts_reset()
    {
        // arrange: dead-lettered after 2 attempts; the store has not confirmed transfer 1
        var sub = Subscription(maxDeliveryAttempts: 2);
        var log = LogOf(1);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);
        Nack(sub, 1, delayMs: 0, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);
        Assert.Equal(FailOutcome.DeadLettered, Nack(sub, 1, delayMs: 0, now: 0));

        // act
        sub.Redrive([log.Get(1)]);

        // assert
        Assert.Empty(sub.Transfers);
        Assert.Empty(sub.Failures);
        Assert.Empty(sub.Redriven);   // still pending here: no copy needed
        Assert.Equal(1, sub.Pending(1));
        var again = Assert.Single(Pump(sub, log, lastPersisted: 1, now: 10));
        Assert.Equal([1L], again.Sequences);
        Assert.Equal([1], again.Attempts);

        // act / assert: a confirmation covering its old transfer does not acknowledge it
        Assert.False(sub.ConfirmTransfers(1));
        Assert.False(sub.IsAcked(1));
        Assert.Equal(1, sub.InFlight);
        Assert.Equal(1, sub.Pending(1));
        Assert.True(sub.Ack(1));
        Assert.Equal(1, sub.Watermark);
    }

    [Fact]
    public void Redrive_of_an_acknowledged_message_should_deliver_a_copy_the_log_no_longer_holds()
    {
        // arrange: dead-lettered, confirmed (so acknowledged), then trimmed from the log
        var sub = Subscription();
        var log = LogOf(1);
        var a = sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);
        Nack(sub, 1, delayMs: 0, now: 0, unprocessable: true);
        Assert.True(sub.ConfirmTransfers(1));
        Assert.Equal(1, sub.Watermark);
        var message = log.Get(1);
        log.DropBelow(2);
        Assert.False(log.Contains(1));

        // act
        sub.Redrive([message]);

        // assert
        Assert.Equal(1, sub.Pending(1));
        Assert.Same(message, Assert.Single(sub.Redriven));
        Assert.Same(message, sub.Find(1));
        var again = Assert.Single(Pump(sub, log, lastPersisted: 1, now: 10));
        Assert.Same(a, again.Consumer);
        Assert.Equal([1L], again.Sequences);
        Assert.Equal([1], again.Attempts);

        // act / assert: its ack drops the copy and goes to the journal
        Assert.True(sub.Ack(1));
        Assert.Equal(0, sub.Pending(1));
        Assert.Empty(sub.Redriven);
        Assert.Equal(0, sub.InFlight);
        Assert.Equal([1L], sub.TakeUnflushedAcks());
        Assert.Equal(1, sub.Watermark);
        Assert.Empty(Pump(sub, log, lastPersisted: 1, now: 20));
    }

    [Fact]
    public void Redrive_of_an_acknowledged_message_twice_should_deliver_one_copy()
    {
        // arrange
        var sub = Subscription();
        var log = LogOf(1);
        Assert.True(sub.Ack(1));
        sub.TakeUnflushedAcks();
        var message = log.Get(1);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);

        // act
        sub.Redrive([message]);
        sub.Redrive([message]);

        // assert
        Assert.Single(sub.Redriven);
        Assert.Equal(1, sub.Pending(1));
        var sent = Assert.Single(Pump(sub, log, lastPersisted: 1, now: 0));
        Assert.Equal([1L], sent.Sequences);
        Assert.Equal([1], sent.Attempts);

        // act / assert: a third redrive while the copy is in flight sends nothing more
        sub.Redrive([message]);
        Assert.Empty(Pump(sub, log, lastPersisted: 1, now: 0));
        Assert.Equal(1, sub.InFlight);
        Assert.Equal(1, sub.Pending(1));
        Assert.True(sub.Ack(1));
        Assert.Equal(0, sub.Pending(1));
        Assert.Equal(0, sub.InFlight);
    }

    [Fact]
    public void Redrive_of_an_unconfirmed_transfer_twice_should_deliver_it_once()
    {
        // arrange
        var sub = Subscription();
        var log = LogOf(1);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);
        Nack(sub, 1, delayMs: 0, now: 0, unprocessable: true);

        // act
        sub.Redrive([log.Get(1)]);
        sub.Redrive([log.Get(1)]);

        // assert
        Assert.Empty(sub.Redriven);
        Assert.Equal(1, sub.Pending(1));
        var sent = Assert.Single(Pump(sub, log, lastPersisted: 1, now: 0));
        Assert.Equal([1L], sent.Sequences);
        Assert.Equal([1], sent.Attempts);
        Assert.Empty(Pump(sub, log, lastPersisted: 1, now: 0));
    }

    [Fact]
    public void Redrive_should_not_let_an_earlier_retry_time_cut_a_later_backoff_short()
    {
        // arrange: 1 waits for a retry at 1000 when a (resent) redrive puts it back; the redriven delivery
        // fails again at 10 with a 5 s delay
        var sub = Subscription();
        var log = LogOf(1);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 1, now: 0);
        Nack(sub, 1, delayMs: 1000, now: 0);
        sub.Redrive([log.Get(1)]);
        Assert.Equal([1], Assert.Single(Pump(sub, log, lastPersisted: 1, now: 0)).Attempts);
        Nack(sub, 1, delayMs: 5000, now: 10);

        // act
        Tick(sub, 1000);

        // assert: the retry waits for its own time (5010)
        Assert.Empty(Pump(sub, log, lastPersisted: 1, now: 1000));
        Tick(sub, 5010);
        Assert.Equal([2], Assert.Single(Pump(sub, log, lastPersisted: 1, now: 5010)).Attempts);
    }

    // ---- ordering by key -----------------------------------------------------------------------------------

    [Fact]
    public void Ordered_subscription_should_have_only_the_first_message_of_each_key_in_flight()
    {
        // arrange: keys a b a b a b; two consumers with plenty of room
        var sub = Subscription(orderedByKey: true);
        var log = LogOf(6, key: AOrB);
        var a = sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        var b = sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);

        // act
        var sent = Pump(sub, log, lastPersisted: 6, now: 0);

        // assert
        Assert.Equal([1L, 2], sent.SelectMany(s => s.Sequences).Order());
        Assert.Equal(2, sub.InFlight);
        Assert.Equal(18, a.Capacity + b.Capacity);
        Assert.Empty(Pump(sub, log, lastPersisted: 6, now: 0));
    }

    [Fact]
    public void Ordered_subscription_should_send_the_next_message_of_a_key_only_after_the_previous_is_acknowledged()
    {
        // arrange
        var sub = Subscription(orderedByKey: true);
        var log = LogOf(3, key: _ => "a");
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Assert.Equal([1L], Assert.Single(Pump(sub, log, lastPersisted: 3, now: 0)).Sequences);

        // act / assert
        Assert.True(sub.Ack(1));
        var second = Assert.Single(Pump(sub, log, lastPersisted: 3, now: 1));
        Assert.Equal([2L], second.Sequences);
        Assert.Equal([1], second.Attempts);
        Assert.Empty(Pump(sub, log, lastPersisted: 3, now: 1));

        Assert.True(sub.Ack(2));
        Assert.Equal([3L], Assert.Single(Pump(sub, log, lastPersisted: 3, now: 2)).Sequences);
    }

    [Fact]
    public void Ordered_subscription_should_hold_back_the_key_of_a_failing_head_but_not_other_keys()
    {
        // arrange: keys a b a b; 1 and 2 in flight
        var sub = Subscription(orderedByKey: true);
        var log = LogOf(4, key: AOrB);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 4, now: 0);

        // act: 1 fails (retry at 500), 2 succeeds
        Nack(sub, 1, delayMs: 500, now: 0);
        Assert.True(sub.Ack(2));

        // assert: key b moves on, key a waits for 1
        Assert.Equal([4L], Delivered(Pump(sub, log, lastPersisted: 4, now: 0)));
        Assert.True(sub.Ack(4));
        Tick(sub, 500);
        var retry = Assert.Single(Pump(sub, log, lastPersisted: 4, now: 500));
        Assert.Equal([1L], retry.Sequences);
        Assert.Equal([2], retry.Attempts);

        // act / assert: another failure, now by the ack deadline: still 1 before 3
        Tick(sub, 500 + DeadlineMs);
        Assert.Equal([1L], Delivered(Pump(sub, log, lastPersisted: 4, now: 500 + DeadlineMs)));

        // act / assert: once 1 is done, 3 goes
        Assert.True(sub.Ack(1));
        Assert.Equal([3L], Delivered(Pump(sub, log, lastPersisted: 4, now: 600 + DeadlineMs)));
    }

    [Fact]
    public void Ordered_subscription_should_release_the_next_message_of_a_key_when_its_head_is_dead_lettered()
    {
        // arrange
        var sub = Subscription(orderedByKey: true, maxDeliveryAttempts: 2);
        var log = LogOf(3, key: _ => "a");
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 3, now: 0);

        // act / assert: unprocessable
        Nack(sub, 1, delayMs: 0, now: 0, unprocessable: true);
        var second = Assert.Single(Pump(sub, log, lastPersisted: 3, now: 0));
        Assert.Equal([2L], second.Sequences);
        Assert.Equal([1], second.Attempts);

        // act / assert: attempts used up
        Nack(sub, 2, delayMs: 0, now: 0);
        Assert.Equal([2L], Delivered(Pump(sub, log, lastPersisted: 3, now: 0)));
        Assert.Equal(FailOutcome.DeadLettered, Nack(sub, 2, delayMs: 0, now: 0));
        Assert.Equal([3L], Delivered(Pump(sub, log, lastPersisted: 3, now: 0)));
    }

    [Fact]
    public void Ordered_subscription_should_never_hold_back_messages_without_a_key()
    {
        // arrange: 1 and 3 have key a, 2, 4 and 5 have none
        var sub = Subscription(orderedByKey: true);
        var log = LogOf(5, key: seq => seq is 1 or 3 ? "a" : null);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);

        // act
        var sent = Pump(sub, log, lastPersisted: 5, now: 0);

        // assert
        Assert.Equal([1L, 2, 4, 5], Delivered(sent));

        // act / assert: a keyless failure holds back nothing either
        Nack(sub, 2, delayMs: 500, now: 0);
        Assert.True(sub.Ack(1));
        Assert.Equal([3L], Delivered(Pump(sub, log, lastPersisted: 5, now: 0)));
    }

    [Fact]
    public void Unordered_subscription_should_deliver_several_messages_of_one_key_at_once()
    {
        // arrange
        var sub = Subscription(orderedByKey: false);
        var log = LogOf(3, key: _ => "a");
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);

        // act
        var sent = Pump(sub, log, lastPersisted: 3, now: 0);

        // assert
        Assert.Equal([1L, 2, 3], Delivered(sent));
        Assert.Equal(3, sub.InFlight);
    }

    // ---- header filter -------------------------------------------------------------------------------------

    [Fact]
    public void Pump_should_acknowledge_messages_the_filter_refuses_without_a_journal_ack()
    {
        // arrange: only invoices; 2 is a receipt and 3 has no headers
        var sub = Subscription(filter: h => h is not null && h.TryGetValue("type", out var t) && t == "invoice");
        _log.Append(Message(1) with { Headers = Headers("type", "invoice") });
        _log.Append(Message(2) with { Headers = Headers("type", "receipt") });
        _log.Append(Message(3));
        _log.Append(Message(4) with { Headers = Headers("type", "invoice") });
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Assert.Equal(4, sub.Pending(4));   // not looked at yet

        // act
        var sent = Delivered(Pump(sub, _log, lastPersisted: 4, now: 0));

        // assert
        Assert.Equal([1L, 4], sent);
        Assert.Equal(0, sub.UnflushedAckCount);
        Assert.True(sub.IsAcked(2));
        Assert.True(sub.IsAcked(3));
        Assert.False(sub.IsAcked(1));
        Assert.Equal(2, sub.Pending(4));
        Tick(sub, 10 * DeadlineMs);
        Assert.Equal([1L, 4], Delivered(Pump(sub, _log, lastPersisted: 4, now: 10 * DeadlineMs)));
        Assert.True(sub.Ack(1));
        Assert.True(sub.Ack(4));
        Assert.Equal(4, sub.Watermark);
        Assert.Equal(0, sub.Pending(4));
        Assert.Equal([1L, 4], sub.TakeUnflushedAcks());
    }

    [Fact]
    public void FilterNext_should_acknowledge_a_refused_message_only_next_to_the_watermark()
    {
        // arrange: only invoices; the subscription acknowledged 1
        var sub = Subscription(watermark: 1, filter: h => h is not null && h.TryGetValue("type", out var t) && t == "invoice");

        // act: 2 (a receipt) follows the watermark; 4 (a receipt) is further out, behind 3 (an invoice)
        sub.FilterNext(Message(2) with { Headers = Headers("type", "receipt") });
        sub.FilterNext(Message(3) with { Headers = Headers("type", "invoice") });
        sub.FilterNext(Message(4) with { Headers = Headers("type", "receipt") });

        // assert: 2 is acknowledged without a journal ack; 4 waits for the cursor (no memory for a backlog's refusals)
        Assert.Equal(2, sub.Watermark);
        Assert.False(sub.IsAcked(4));
        Assert.Empty(sub.AckedAbove);
        Assert.Equal(0, sub.UnflushedAckCount);
    }

    [Fact]
    public void Pump_without_a_filter_should_deliver_everything()
    {
        // arrange
        var sub = Subscription();
        LogOf(2);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);

        // act
        var sent = Delivered(Pump(sub, _log, lastPersisted: 2, now: 0));

        // assert
        Assert.Equal([1L, 2], sent);
        Assert.False(sub.IsAcked(1));
        Assert.False(sub.IsAcked(2));
        Assert.Equal(2, sub.Pending(2));
    }

    // ---- seek ----------------------------------------------------------------------------------------------

    [Fact]
    public void MoveCursor_back_should_redeliver_from_there_including_acknowledged_messages()
    {
        // arrange
        var sub = Subscription();
        var log = LogOf(4);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 4, now: 0);
        foreach (var seq in new[] { 1L, 2, 3, 4 }) Assert.True(sub.Ack(seq));

        // act
        sub.MoveCursor(2);

        // assert
        Assert.Equal(1, sub.Watermark);
        Assert.Equal(2, sub.Cursor);
        Assert.False(sub.IsAcked(2));
        Assert.Equal(3, sub.Pending(4));
        var sent = Assert.Single(Pump(sub, log, lastPersisted: 4, now: 10));
        Assert.Equal([2L, 3, 4], sent.Sequences);
        Assert.Equal([1, 1, 1], sent.Attempts);
    }

    [Fact]
    public void MoveCursor_forward_should_acknowledge_everything_below_it()
    {
        // arrange: nothing delivered; 2 and 4 acknowledged out of order
        var sub = Subscription();
        var log = LogOf(6);
        Assert.True(sub.Ack(2));
        Assert.True(sub.Ack(4));
        var unflushed = sub.UnflushedAckCount;

        // act
        sub.MoveCursor(4);

        // assert: 1..3 by the seek, 4 by its own ack
        Assert.Equal(4, sub.Watermark);
        Assert.Empty(sub.AckedAbove);
        Assert.Equal(4, sub.Cursor);
        Assert.Equal(2, sub.Pending(6));
        Assert.Equal(unflushed, sub.UnflushedAckCount);   // the seek is its own journal event
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Assert.Equal([5L, 6], Delivered(Pump(sub, log, lastPersisted: 6, now: 0)));
    }

    [Fact]
    public void MoveCursor_should_clear_failures_and_attempt_counts()
    {
        // arrange: 1 waits for a retry, 2 expired at its deadline and is ready
        var sub = Subscription();
        var log = LogOf(2);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 2, now: 0);
        Nack(sub, 1, delayMs: 5000, now: 0);
        Tick(sub, DeadlineMs);
        Assert.Equal(2, sub.Failures.Count());

        // act
        sub.MoveCursor(1);

        // assert: delivered afresh, once each
        Assert.Empty(sub.Failures);
        Assert.False(sub.HasDelayedRedeliveries);
        var sent = Assert.Single(Pump(sub, log, lastPersisted: 2, now: DeadlineMs));
        Assert.Equal([1L, 2], sent.Sequences);
        Assert.Equal([1, 1], sent.Attempts);
        Assert.True(sub.Ack(1));
        Assert.True(sub.Ack(2));
        Tick(sub, 5000);   // 1's dropped retry time
        Assert.Empty(Pump(sub, log, lastPersisted: 2, now: 5000));
    }

    [Fact]
    public void MoveCursor_back_should_not_deliver_twice_what_is_still_in_flight()
    {
        // arrange: 1..3 in flight, 1 acknowledged
        var sub = Subscription();
        var log = LogOf(3);
        var a = sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 3, now: 0);
        Assert.True(sub.Ack(1));

        // act
        sub.MoveCursor(1);

        // assert: only 1 goes again; 2 and 3 finish as they are
        var sent = Assert.Single(Pump(sub, log, lastPersisted: 3, now: 10));
        Assert.Equal([1L], sent.Sequences);
        Assert.Equal(3, sub.InFlight);
        Assert.Equal(3, a.InFlight);
        foreach (var seq in new[] { 2L, 3, 1 }) Assert.True(sub.Ack(seq));
        Assert.Equal(0, sub.InFlight);
        Assert.Equal(0, a.InFlight);
        Assert.Equal(3, sub.Watermark);
        Tick(sub, 10 * DeadlineMs);
        Assert.Empty(_events);
        Assert.Empty(Pump(sub, log, lastPersisted: 3, now: 10 * DeadlineMs));
    }

    [Fact]
    public void MoveCursor_forward_should_let_in_flight_deliveries_below_the_cursor_finish_with_their_ack()
    {
        // arrange: 1..3 in flight; the seek skips 1 and 2
        var sub = Subscription();
        var log = LogOf(3);
        var a = sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 3, now: 0);
        sub.MoveCursor(3);

        // act: the consumer still acks them
        sub.Ack(1);
        sub.Ack(2);

        // assert: their window is freed
        Assert.Equal(1, sub.InFlight);
        Assert.Equal(1, a.InFlight);
        Assert.Equal(9, a.Capacity);
    }

    [Fact]
    public void MoveCursor_forward_should_not_redeliver_an_in_flight_delivery_below_the_cursor_at_its_deadline()
    {
        // arrange: 1..3 in flight; the seek acknowledges 1 and 2
        var sub = Subscription();
        var log = LogOf(3);
        sub.AddConsumer(Probe(), maxInFlight: 10, now: 0);
        Pump(sub, log, lastPersisted: 3, now: 0);
        sub.MoveCursor(3);

        // act: nobody acks anything
        Tick(sub, DeadlineMs);

        // assert: only 3 (still pending) counts as failed and goes again
        var failed = _events.OfType<DeliveriesFailed>().SelectMany(e => e.Failures).Select(f => f.Sequence);
        Assert.Equal([3L], failed);
        var again = Assert.Single(Pump(sub, log, lastPersisted: 3, now: DeadlineMs));
        Assert.Equal([3L], again.Sequences);
        Assert.Equal([2], again.Attempts);
        Assert.Equal(1, sub.InFlight);
    }
}
