using ActorPubSub.Messages;
using ActorPubSub.Tests.Topics.Log;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Log;
using static ActorPubSub.Tests.Topics.TopicParts;

namespace ActorPubSub.Tests.Topics;

/// <summary>
/// The limits on a topic's log: what they drop although subscriptions still need it (max age; drop-oldest by
/// messages or bytes), never a message on its way to the dead-letter store, and whether a new message fits.
/// </summary>
[Trait("Category", "Unit")]
public sealed class RetentionTruncationSpec
{
    [Fact]
    public void Truncation_should_drop_messages_past_max_age_even_unacknowledged()
    {
        // arrange: message n published n minutes after At; a subscription that acknowledged nothing
        var log = TestLogs.New();
        for (var seq = 1L; seq <= 6; seq++) log.Append(Message(seq, at: At.AddMinutes(seq)));
        var table = Table(log, subscriptions: ["billing"]);
        var retention = Policy(log, table, new TopicLimits(0, 0, TimeSpan.FromHours(1), WhenFull.Refuse));

        // act: an hour after 3.5 minutes past At
        var truncated = retention.Truncation(At.AddMinutes(63.5));

        // assert
        Assert.Equal(new LogTruncated(4), truncated);
        Assert.Equal(0, table.Get("billing").Watermark);
        Assert.Null(retention.Truncation(At.AddMinutes(60.5)));   // none older than an hour yet
    }

    [Fact]
    public void Truncation_with_drop_oldest_should_keep_max_messages()
    {
        // arrange
        var log = LogOf(10);
        var retention = Policy(log, Table(log, subscriptions: ["billing"]), new TopicLimits(0, 4, TimeSpan.Zero, WhenFull.DropOldest));

        // act
        var truncated = retention.Truncation(At);

        // assert
        Assert.Equal(new LogTruncated(7), truncated);
    }

    [Theory]
    [InlineData(90L, null)]   // fits
    [InlineData(60L, 4L)]     // the oldest chunk goes
    [InlineData(50L, 7L)]     // two chunks go: whole chunks only
    public void Truncation_with_drop_oldest_should_keep_max_bytes_in_whole_chunks(long maxBytes, long? first)
    {
        // arrange: chunks of 3 messages of 10 bytes
        var log = TestLogs.New(pageBytes: 30);
        for (var seq = 1L; seq <= 9; seq++) log.Append(Message(seq));
        var retention = Policy(log, Table(log, subscriptions: ["billing"]), new TopicLimits(maxBytes, 0, TimeSpan.Zero, WhenFull.DropOldest));

        // act
        var truncated = retention.Truncation(At);

        // assert
        Assert.Equal(first, truncated?.FirstSequence);
    }

    [Fact]
    public void Truncation_with_drop_oldest_should_count_pinned_messages_against_max_bytes()
    {
        // arrange: a topic restored from an old snapshot: 1..3 pinned (30 bytes), 4..6 in the journal (30 bytes)
        var log = TestLogs.New(pageBytes: 30);
        log.Restore(1, 3, [], [Message(1), Message(2), Message(3)]);
        for (var seq = 4L; seq <= 6; seq++) log.Append(Message(seq));
        var retention = Policy(log, Table(log, subscriptions: ["billing"]), new TopicLimits(50, 0, TimeSpan.Zero, WhenFull.DropOldest));
        Assert.Equal(60, log.Bytes);

        // act
        var truncated = retention.Truncation(At);

        // assert: the pinned messages are the oldest and go one by one: without message 1, 50 bytes remain
        Assert.Equal(new LogTruncated(2), truncated);
    }

    [Fact]
    public void Truncation_should_take_the_furthest_of_the_limits()
    {
        // arrange: max-age would drop 1..2, max-messages 1..6
        var log = TestLogs.New();
        for (var seq = 1L; seq <= 10; seq++) log.Append(Message(seq, at: At.AddMinutes(seq)));
        var retention = Policy(log, Table(log), new TopicLimits(0, 4, TimeSpan.FromHours(1), WhenFull.DropOldest));

        // act
        var truncated = retention.Truncation(At.AddMinutes(62.5));

        // assert
        Assert.Equal(new LogTruncated(7), truncated);
    }

    [Theory]
    [InlineData(3L, 3L)]    // 1 and 2 go; 3 stays for the store
    [InlineData(1L, null)]  // nothing may go
    public void Truncation_should_never_drop_a_message_on_its_way_to_the_dead_letter_store(long transferred, long? first)
    {
        // arrange: drop-oldest wants 1..6 gone; the subscription dead-lettered one of them
        var log = LogOf(10);
        var table = Table(log, subscriptions: ["billing"]);
        table.Get("billing").ApplyDeadLettered(
            new DeadLetterTransfer(1, transferred, 5, At, At.AddSeconds(1), "boom", DeadLetterReason.MaxDeliveryAttempts));
        var retention = Policy(log, table, new TopicLimits(0, 4, TimeSpan.Zero, WhenFull.DropOldest));

        // act
        var truncated = retention.Truncation(At);

        // assert
        Assert.Equal(first, truncated?.FirstSequence);
    }

    [Fact]
    public void Truncation_with_refuse_should_never_drop_for_messages_or_bytes()
    {
        // arrange: far over both limits
        var log = LogOf(10);
        var retention = Policy(log, Table(log, subscriptions: ["billing"]), new TopicLimits(20, 4, TimeSpan.Zero, WhenFull.Refuse));

        // act
        var truncated = retention.Truncation(At.AddDays(365));

        // assert
        Assert.Null(truncated);
        Assert.Equal(10, log.Count);
    }

    [Fact]
    public void Truncation_of_an_empty_log_should_drop_nothing()
    {
        // arrange
        var log = TestLogs.New();
        var retention = Policy(log, Table(log), new TopicLimits(1, 1, TimeSpan.FromSeconds(1), WhenFull.DropOldest));

        // act / assert
        Assert.Null(retention.Truncation(At.AddDays(1)));
    }

    [Fact]
    public void RoomFor_should_count_pending_messages_and_never_overshoot_max_messages()
    {
        // arrange: 3 retained, a limit of 5, nothing acknowledged
        var log = LogOf(3);
        var retention = Policy(log, Table(log, subscriptions: ["billing"]), new TopicLimits(0, 5, TimeSpan.Zero, WhenFull.Refuse));

        // act: accept publishes while they fit, each buffered or being written (not in the log yet)
        var pending = 0;
        while (pending < 100 && retention.RoomFor(10, pending, pending * 10L) is null) pending++;
        var refusal = retention.RoomFor(10, pending, pending * 10L);

        // assert
        Assert.Equal(2, pending);
        Assert.Equal(5, log.Count + pending);
        Assert.Contains("retains 5 messages", refusal);
        Assert.Contains("when-full refuse", refusal);
    }

    [Fact]
    public void RoomFor_should_count_pending_bytes_and_never_overshoot_max_bytes()
    {
        // arrange: 30 bytes retained, a limit of 100
        var log = LogOf(3);
        var retention = Policy(log, Table(log, subscriptions: ["billing"]), new TopicLimits(100, 0, TimeSpan.Zero, WhenFull.Refuse));

        // act
        var pendingBytes = 0L;
        var pending = 0;
        while (pending < 100 && retention.RoomFor(10, pending, pendingBytes) is null)
        {
            pending++;
            pendingBytes += 10;
        }

        // assert: exactly up to the limit, a byte more does not fit
        Assert.Equal(100, log.Bytes + pendingBytes);
        Assert.NotNull(retention.RoomFor(1, pending, pendingBytes));
        Assert.Null(retention.RoomFor(1, pending - 1, pendingBytes - 10));
    }

    [Fact]
    public void RoomFor_with_drop_oldest_should_always_fit()
    {
        // arrange
        var log = LogOf(10);
        var retention = Policy(log, Table(log, subscriptions: ["billing"]), new TopicLimits(20, 4, TimeSpan.Zero, WhenFull.DropOldest));

        // act
        var room = retention.RoomFor(1000, pendingMessages: 50, pendingBytes: 50_000);

        // assert
        Assert.Null(room);
        Assert.Equal(10, log.Count);   // the drop follows the write; nothing dropped here
    }

    private static RetentionPolicy Policy(MessageLog log, SubscriptionTable table, TopicLimits limits) =>
        new(Topic, DefaultSettings(), log, table) { ConfiguredLimits = limits };
}
