using ActorPubSub.Topics;
using static ActorPubSub.Topics.ProducerTable;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Topics;

/// <summary>Dedup of resending producers: verdicts, floors, expiry and what goes into a snapshot.</summary>
[Trait("Category", "Unit")]
public sealed class ProducerTableSpec
{
    private const string P = "producer-a";
    private const string Q = "producer-b";

    [Theory]
    [InlineData(1L, 1L)]
    [InlineData(1L, 0L)]   // no floor sent: numbering starts at 1
    [InlineData(7L, 7L)]   // a producer the table forgot comes back at its floor
    public void Check_should_accept_an_unknown_producer_at_its_first_number(long producerSeq, long floor)
    {
        // arrange
        var table = new ProducerTable();

        // act
        var (verdict, sequence) = table.Check(P, producerSeq, floor, lastPersisted: 100, now: 0);

        // assert
        Assert.Equal(Verdict.Accept, verdict);
        Assert.Equal(0, sequence);
        Assert.Equal(0, table.Count);   // checking records nothing
    }

    [Theory]
    [InlineData(2L, 1L, nameof(Verdict.Gap))]
    [InlineData(9L, 7L, nameof(Verdict.Gap))]
    [InlineData(6L, 7L, nameof(Verdict.Stale))]
    public void Check_should_refuse_an_unknown_producer_off_its_first_number(long producerSeq, long floor, string expected)
    {
        // arrange
        var table = new ProducerTable();

        // act
        var (verdict, _) = table.Check(P, producerSeq, floor, lastPersisted: 100, now: 0);

        // assert
        Assert.Equal(Enum.Parse<Verdict>(expected), verdict);
    }

    [Fact]
    public void Check_should_accept_the_next_number_and_refuse_one_after_a_gap()
    {
        // arrange
        var table = new ProducerTable();
        table.Record(P, 1, sequence: 1, floor: 1, now: 0);

        // act
        var next = table.Check(P, 2, floor: 1, lastPersisted: 1, now: 0);
        var afterGap = table.Check(P, 3, floor: 1, lastPersisted: 1, now: 0);

        // assert
        Assert.Equal((Verdict.Accept, 0L), next);
        Assert.Equal((Verdict.Gap, 0L), afterGap);
    }

    [Fact]
    public void Check_should_answer_a_persisted_resend_with_its_original_sequence()
    {
        // arrange: another producer's publishes interleave, so topic sequences are not the producer's numbers
        var table = new ProducerTable();
        table.Record(P, 1, sequence: 10, floor: 1, now: 0);
        table.Record(Q, 1, sequence: 11, floor: 1, now: 0);
        table.Record(P, 2, sequence: 12, floor: 1, now: 0);

        // act
        var first = table.Check(P, 1, floor: 1, lastPersisted: 12, now: 0);
        var second = table.Check(P, 2, floor: 1, lastPersisted: 12, now: 0);
        var other = table.Check(Q, 1, floor: 1, lastPersisted: 12, now: 0);

        // assert
        Assert.Equal((Verdict.Duplicate, 10L), first);
        Assert.Equal((Verdict.Duplicate, 12L), second);
        Assert.Equal((Verdict.Duplicate, 11L), other);
    }

    [Fact]
    public void Check_should_call_a_resend_whose_write_still_runs_pending()
    {
        // arrange
        var table = new ProducerTable();
        table.Record(P, 1, sequence: 10, floor: 1, now: 0);
        table.Record(P, 2, sequence: 11, floor: 1, now: 0);

        // act: 10 is written, 11 is not yet
        var written = table.Check(P, 1, floor: 1, lastPersisted: 10, now: 0);
        var writing = table.Check(P, 2, floor: 1, lastPersisted: 10, now: 0);

        // assert
        Assert.Equal((Verdict.Duplicate, 10L), written);
        Assert.Equal((Verdict.DuplicatePending, 11L), writing);
    }

    [Fact]
    public void Check_should_prune_runs_below_a_raised_floor_and_call_them_stale()
    {
        // arrange: producer numbers 1..3 at sequences 1..3 (one run)
        var table = new ProducerTable();
        for (var n = 1L; n <= 3; n++) table.Record(P, n, sequence: n, floor: 1, now: 0);

        // act: the producer got every receipt; its next publish says it waits for nothing below 4
        var next = table.Check(P, 4, floor: 4, lastPersisted: 3, now: 0);
        var lateResend = table.Check(P, 2, floor: 2, lastPersisted: 3, now: 0);   // an old resend arriving late

        // assert
        Assert.Equal(Verdict.Accept, next.Verdict);
        Assert.Equal((Verdict.Stale, 0L), lateResend);
        Assert.Empty(table.PersistedRuns(long.MaxValue));
        Assert.Equal(1, table.Count);   // the producer itself is still known
    }

    [Fact]
    public void Check_should_call_a_number_below_the_floor_stale_even_inside_a_kept_run()
    {
        // Reproduction: pruning drops whole runs only, so a run straddling the floor kept the numbers below it
        // and Check answered Duplicate for a number the producer no longer waits for (Stale by the verdicts' docs).
        // arrange: numbers 1..5 at sequences 1..5, one run; the floor rises to 3 inside it
        var table = new ProducerTable();
        for (var n = 1L; n <= 5; n++) table.Record(P, n, sequence: n, floor: 1, now: 0);
        Assert.Equal(Verdict.Accept, table.Check(P, 6, floor: 3, lastPersisted: 5, now: 0).Verdict);

        // act
        var belowFloor = table.Check(P, 2, floor: 2, lastPersisted: 5, now: 0);
        var atFloor = table.Check(P, 3, floor: 3, lastPersisted: 5, now: 0);

        // assert
        Assert.Equal((Verdict.Stale, 0L), belowFloor);
        Assert.Equal((Verdict.Duplicate, 3L), atFloor);
    }

    [Fact]
    public void Check_should_skip_numbers_the_producer_abandoned()
    {
        // arrange: 1 and 2 stored; the producer gave up on 3 and 4 (timed out before they arrived)
        var table = new ProducerTable();
        table.Record(P, 1, sequence: 1, floor: 1, now: 0);
        table.Record(P, 2, sequence: 2, floor: 1, now: 0);

        // act
        var fifth = table.Check(P, 5, floor: 5, lastPersisted: 2, now: 0);
        table.Record(P, 5, sequence: 3, floor: 5, now: 0);
        var abandoned = table.Check(P, 3, floor: 3, lastPersisted: 3, now: 0);
        var resendOfFifth = table.Check(P, 5, floor: 5, lastPersisted: 3, now: 0);
        var sixth = table.Check(P, 6, floor: 5, lastPersisted: 3, now: 0);

        // assert
        Assert.Equal(Verdict.Accept, fifth.Verdict);
        Assert.Equal(Verdict.Stale, abandoned.Verdict);
        Assert.Equal((Verdict.Duplicate, 3L), resendOfFifth);
        Assert.Equal(Verdict.Accept, sixth.Verdict);
    }

    [Fact]
    public void Record_should_merge_consecutive_publishes_into_one_run()
    {
        // arrange
        var table = new ProducerTable();

        // act
        table.Record(P, 1, sequence: 10, floor: 1, now: 0);
        table.Record(P, 2, sequence: 11, floor: 1, now: 0);
        table.Record(P, 3, sequence: 12, floor: 1, now: 0);

        // assert
        Assert.Equal([new ProducerRun(P, 1, 10, 3)], table.PersistedRuns(long.MaxValue));
    }

    [Fact]
    public void Record_should_start_a_new_run_when_either_numbering_breaks()
    {
        // arrange
        var table = new ProducerTable();

        // act
        table.Record(P, 1, sequence: 10, floor: 1, now: 0);
        table.Record(P, 2, sequence: 12, floor: 1, now: 0);   // another producer took 11
        table.Record(P, 5, sequence: 13, floor: 5, now: 0);   // the producer abandoned 3 and 4

        // assert
        Assert.Equal(
            [new ProducerRun(P, 1, 10, 1), new ProducerRun(P, 2, 12, 1), new ProducerRun(P, 5, 13, 1)],
            table.PersistedRuns(long.MaxValue));
    }

    [Fact]
    public void PersistedRuns_should_clip_runs_to_the_persisted_sequence()
    {
        // arrange: P has numbers 1..5 at 10..14; Q has 1..2 at 15..16
        var table = new ProducerTable();
        for (var n = 1L; n <= 5; n++) table.Record(P, n, sequence: 9 + n, floor: 1, now: 0);
        table.Record(Q, 1, sequence: 15, floor: 1, now: 0);
        table.Record(Q, 2, sequence: 16, floor: 1, now: 0);

        // act
        var upTo12 = table.PersistedRuns(12).ToList();
        var upTo9 = table.PersistedRuns(9).ToList();
        var upTo15 = table.PersistedRuns(15).ToList();
        var all = table.PersistedRuns(16).ToList();

        // assert
        Assert.Equal([new ProducerRun(P, 1, 10, 3)], upTo12);
        Assert.Empty(upTo9);
        Assert.Equal([new ProducerRun(P, 1, 10, 5), new ProducerRun(Q, 1, 15, 1)], upTo15.OrderBy(r => r.ProducerId));
        Assert.Equal([new ProducerRun(P, 1, 10, 5), new ProducerRun(Q, 1, 15, 2)], all.OrderBy(r => r.ProducerId));
    }

    [Fact]
    public void PersistedRuns_should_leave_out_runs_pruned_by_the_floor()
    {
        // arrange: P has 1..2 at 1..2, then 3 at 4 (Q took 3)
        var table = new ProducerTable();
        table.Record(P, 1, sequence: 1, floor: 1, now: 0);
        table.Record(P, 2, sequence: 2, floor: 1, now: 0);
        table.Record(Q, 1, sequence: 3, floor: 1, now: 0);
        table.Record(P, 3, sequence: 4, floor: 1, now: 0);

        // act: P's floor rises to 3
        table.Check(P, 4, floor: 3, lastPersisted: 4, now: 0);

        // assert
        Assert.Equal(
            [new ProducerRun(P, 3, 4, 1), new ProducerRun(Q, 1, 3, 1)],
            table.PersistedRuns(4).OrderBy(r => r.ProducerId));
    }

    [Fact]
    public void Restore_should_rebuild_dedup_from_stored_runs()
    {
        // arrange
        var table = new ProducerTable();

        // act: a snapshot's run, then a replayed event's run that continues it
        table.Restore(new ProducerRun(P, 1, 10, 3), now: 0);
        table.Restore(new ProducerRun(P, 4, 13, 2), now: 0);

        // assert
        Assert.Equal((Verdict.Duplicate, 11L), table.Check(P, 2, floor: 1, lastPersisted: 14, now: 0));
        Assert.Equal((Verdict.Duplicate, 14L), table.Check(P, 5, floor: 1, lastPersisted: 14, now: 0));
        Assert.Equal(Verdict.Accept, table.Check(P, 6, floor: 1, lastPersisted: 14, now: 0).Verdict);
        Assert.Equal(Verdict.Gap, table.Check(P, 7, floor: 1, lastPersisted: 14, now: 0).Verdict);
        Assert.Equal([new ProducerRun(P, 1, 10, 5)], table.PersistedRuns(14));
    }

    [Fact]
    public void Expire_should_forget_producers_silent_longer_than_the_expiry()
    {
        // arrange
        var table = new ProducerTable();
        table.Record(P, 1, sequence: 1, floor: 1, now: 0);
        table.Record(Q, 1, sequence: 2, floor: 1, now: 400);

        // act
        table.Expire(now: 1000, expiryTicks: 600);

        // assert: P (silent 1000) is gone, Q (silent exactly 600) stays
        Assert.Equal(1, table.Count);
        Assert.Equal(Verdict.Accept, table.Check(P, 1, floor: 1, lastPersisted: 2, now: 1000).Verdict);
        Assert.Equal((Verdict.Duplicate, 2L), table.Check(Q, 1, floor: 1, lastPersisted: 2, now: 1000));
        Assert.Equal([new ProducerRun(Q, 1, 2, 1)], table.PersistedRuns(2));
    }

    [Fact]
    public void Check_should_keep_a_producer_from_expiring()
    {
        // arrange
        var table = new ProducerTable();
        table.Record(P, 1, sequence: 1, floor: 1, now: 0);

        // act: a resend at 900 counts as hearing from the producer
        table.Check(P, 1, floor: 1, lastPersisted: 1, now: 900);
        table.Expire(now: 1000, expiryTicks: 500);

        // assert
        Assert.Equal(1, table.Count);
        Assert.Equal((Verdict.Duplicate, 1L), table.Check(P, 1, floor: 1, lastPersisted: 1, now: 1000));
    }
}
