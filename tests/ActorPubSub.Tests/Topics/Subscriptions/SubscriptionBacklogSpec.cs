using ActorPubSub.Messages;
using ActorPubSub.Tests.Topics.Log;
using ActorPubSub.Topics.Log;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Topics.Subscriptions;

/// <summary>
/// A subscription behind the topic's hot window: the pump waits while the log reads the messages back from the
/// journal, then delivers them in order; what the log's limits dropped is counted and skipped.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SubscriptionBacklogSpec : SubscriptionFixture
{
    private const long Cost10 = 10 + HotWindow.MessageOverhead;

    // A log of its own: chunks of 3 messages, a window of 3 (the fixture's log holds everything in memory).
    private readonly MessageLog _backlog = new(new LogSettings(PageBytes: 30, WindowBytes: 3 * Cost10, ReadPages: 1), memory: null);
    private readonly LogJournal _journal;

    public SubscriptionBacklogSpec() => _journal = new LogJournal(_backlog);

    [Fact]
    public void Pump_behind_the_window_should_deliver_nothing_and_want_the_chunk()
    {
        // arrange: 1..9 written, the window holds 7..9
        Write(1, 9);
        var sub = Behind();
        sub.AddConsumer(Probe(), 100, 0);

        // act
        var sent = Pump(sub, _backlog, lastPersisted: 9, now: 0);

        // assert
        Assert.Empty(sent);
        Assert.Equal(1, sub.Cursor);
        Assert.Equal(0, sub.InFlight);
        Assert.True(_backlog.HasWants);
        Assert.Equal(1, _backlog.NextRead()!.FirstSequence);
    }

    [Fact]
    public void Pump_after_the_reads_should_deliver_the_backlog_in_order()
    {
        // arrange
        Write(1, 9);
        var sub = Behind();
        sub.AddConsumer(Probe(), 100, 0);

        // act: pump, read what it wants, pump again — as the topic does
        var delivered = new List<long>();
        var reads = 0;
        for (var round = 0; round < 20 && delivered.Count < 9; round++)
        {
            delivered.AddRange(Pump(sub, _backlog, lastPersisted: 9, now: 0).SelectMany(s => s.Sequences));
            reads += _journal.ServeReads().Count;
        }

        // assert: every message once, in order, read back chunk by chunk
        Assert.Equal(Enumerable.Range(1, 9).Select(i => (long)i), delivered);
        Assert.Equal(3, reads);
        Assert.Equal(10, sub.Cursor);
    }

    [Fact]
    public void Filter_should_apply_when_the_cursor_passes_a_message_read_back()
    {
        // arrange: odd messages carry a header the filter refuses
        for (var seq = 1L; seq <= 9; seq++)
            _journal.Write(Message(seq) with { Headers = Headers("kind", seq % 2 == 1 ? "odd" : "even") });
        var sub = Behind(filter: h => h?["kind"] == "even");
        sub.AddConsumer(Probe(), 100, 0);

        // act: the first pump misses 1: the filter has not seen it yet
        Assert.Empty(Pump(sub, _backlog, lastPersisted: 9, now: 0));
        var refusedBeforeRead = sub.IsAcked(1);
        var delivered = new List<long>();
        for (var round = 0; round < 20 && sub.Cursor <= 9; round++)
        {
            _journal.ServeReads();
            delivered.AddRange(Pump(sub, _backlog, lastPersisted: 9, now: 0).SelectMany(s => s.Sequences));
        }

        // assert
        Assert.False(refusedBeforeRead);
        Assert.Equal([2L, 4, 6, 8], delivered);
        Assert.All(new long[] { 1, 3, 5, 7, 9 }, seq => Assert.True(sub.IsAcked(seq)));
    }

    [Fact]
    public void Redeliveries_of_evicted_messages_should_wait_for_their_read_while_others_go()
    {
        // arrange: 1..3 delivered, 1 and 3 nacked; 4..5 written since, so the window holds 3..5
        Write(1, 3);
        var sub = Behind();
        sub.AddConsumer(Probe(), 100, 0);
        Assert.Equal([1L, 2, 3], Delivered(Pump(sub, _backlog, lastPersisted: 3, now: 0)));
        Nack(sub, 1, delayMs: 0, now: 10);
        Nack(sub, 3, delayMs: 0, now: 10);
        Write(4, 5);

        // act
        var first = Pump(sub, _backlog, lastPersisted: 5, now: 20);

        // assert: 3 (in the window) and the new 4, 5 go; 1 waits for its chunk
        Assert.Equal([3L, 4, 5], Delivered(first));
        Assert.Equal(1, _backlog.NextRead()!.FirstSequence);

        // act: the chunk is read back
        _backlog.ReadFailed(_backlog.Reading!);   // (first read fails; the topic retries it)
        _journal.ServeReads();
        var second = Pump(sub, _backlog, lastPersisted: 5, now: 30);

        // assert: 1 goes now, its second attempt
        var sent = Assert.Single(second);
        Assert.Equal([1L], sent.Sequences);
        Assert.Equal([2], sent.Attempts);
    }

    [Fact]
    public void DropBelow_should_count_the_unacknowledged_messages_lost_and_move_the_cursor()
    {
        // arrange: 1..10 all delivered; 2 and 5 acknowledged (above the watermark), 8 too
        var log = LogOf(10);   // the fixture's log: everything in memory
        var sub = new SubscriptionState("billing", 0, Config(), log);
        var consumer = sub.AddConsumer(Probe(), 100, 0);
        Assert.Equal(10, Delivered(Pump(sub, log, lastPersisted: 10, now: 0)).Length);
        foreach (var seq in new long[] { 2, 5, 8 }) sub.Ack(seq);

        // act: the log's limits dropped everything below 7
        var lost = sub.DropBelow(7);

        // assert: 1, 3, 4 and 6 were lost to it
        Assert.Equal(4, lost);
        Assert.Equal(4, sub.Dropped);
        Assert.Equal(6, sub.Watermark);
        Assert.Equal([8L], sub.AckedAbove);
        Assert.Equal(3, sub.InFlight);              // 7, 9, 10
        Assert.Equal(3, consumer.InFlight);
        Assert.Equal(3, sub.Pending(10));           // 7, 9, 10

        // act / assert: idempotent (a replay after a snapshot that had it)
        Assert.Equal(0, sub.DropBelow(7));
        Assert.Equal(0, sub.DropBelow(3));
        Assert.Equal(4, sub.Dropped);
    }

    [Fact]
    public void DropBelow_should_move_a_cursor_that_lags_behind_it()
    {
        // arrange: nothing delivered yet
        Write(1, 9);
        var sub = Behind();
        sub.AddConsumer(Probe(), 100, 0);

        // act
        var lost = sub.DropBelow(7);
        var cursor = sub.Cursor;
        _backlog.DropBelow(7);
        var sent = Pump(sub, _backlog, lastPersisted: 9, now: 0);

        // assert: the rest comes from the window without a read
        Assert.Equal(6, lost);
        Assert.Equal(7, cursor);
        Assert.Equal([7L, 8, 9], Delivered(sent));
        Assert.False(_backlog.HasWants);
    }

    [Fact]
    public void DropBelow_should_release_the_key_queues_of_the_dropped_messages()
    {
        // arrange: ordered by key, every message of key "a": 1 in flight, 2..5 queued behind it
        var log = LogOf(5, key: _ => "a");
        var sub = new SubscriptionState("billing", 0, Config(orderedByKey: true), log);
        sub.AddConsumer(Probe(), 100, 0);
        Assert.Equal([1L], Delivered(Pump(sub, log, lastPersisted: 5, now: 0)));

        // act: the limits drop 1 and 2 (subscriptions first, then the log, as the topic applies LogTruncated)
        sub.DropBelow(3);
        log.DropBelow(3);
        var sent = Pump(sub, log, lastPersisted: 5, now: 10);

        // assert: 3 heads the key now; 4 and 5 still wait behind it
        Assert.Equal([3L], Delivered(sent));
        Assert.Equal(1, sub.InFlight);
        sub.Ack(3);
        Assert.Equal([4L], Delivered(Pump(sub, log, lastPersisted: 5, now: 20)));
    }

    [Fact]
    public void Ordered_by_key_lookahead_should_stop_the_cursor_at_the_queue_limit()
    {
        // arrange: one key, more messages than may wait behind it
        var count = KeyQueues.MaxQueued + 5;
        var log = LogOf(count, key: _ => "a");
        var sub = new SubscriptionState("billing", 0, Config(orderedByKey: true), log);
        sub.AddConsumer(Probe(), 100, 0);

        // act
        var sent = Pump(sub, log, lastPersisted: count, now: 0);

        // assert: the head goes; the cursor stops once MaxQueued messages are queued (the head among them)
        Assert.Equal([1L], Delivered(sent));
        Assert.Equal(KeyQueues.MaxQueued + 1, sub.Cursor);

        // act: the head is done: the next goes, and the cursor may take one more
        sub.Ack(1);
        var next = Pump(sub, log, lastPersisted: count, now: 10);

        // assert
        Assert.Equal([2L], Delivered(next));
        Assert.Equal(KeyQueues.MaxQueued + 2, sub.Cursor);
    }

    private SubscriptionState Behind(Func<IReadOnlyDictionary<string, string>?, bool>? filter = null) =>
        new("billing", 0, Config(), _backlog, filter);

    private void Write(long from, long to)
    {
        for (var seq = from; seq <= to; seq++) _journal.Write(Message(seq));
    }
}
