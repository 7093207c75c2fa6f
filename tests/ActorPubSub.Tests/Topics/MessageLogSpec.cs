using System.Reflection;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Topics;

/// <summary>The retained log of a topic: a ring buffer addressed by sequence number.</summary>
[Trait("Category", "Unit")]
public sealed class MessageLogSpec
{
    private static readonly DateTime At = new(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    [Fact]
    public void Append_should_make_each_message_retrievable_by_its_sequence()
    {
        // arrange
        var log = new MessageLog();

        // act
        for (var seq = 1L; seq <= 5; seq++) log.Append(Message(seq, size: (int)seq * 10));

        // assert
        Assert.Equal(5, log.Count);
        Assert.Equal(1, log.FirstSequence);
        Assert.Equal(5, log.LastSequence);
        Assert.Equal(10 + 20 + 30 + 40 + 50, log.Bytes);
        for (var seq = 1L; seq <= 5; seq++) Assert.Equal(seq, log.Get(seq).Sequence);
        Assert.Equal(1, log.Oldest!.Sequence);
        Assert.Equal([1L, 2, 3, 4, 5], log.All().Select(m => m.Sequence));
    }

    [Fact]
    public void Append_should_start_a_fresh_log_at_the_sequence_of_its_first_message()
    {
        // arrange: a recovering topic appends the snapshot's retained messages, which rarely start at 1
        var log = new MessageLog();

        // act
        log.Append(Message(500));
        log.Append(Message(501));

        // assert
        Assert.Equal(500, log.FirstSequence);
        Assert.Equal(501, log.LastSequence);
        Assert.False(log.Contains(499));
        Assert.Equal(501, log.Get(501).Sequence);
    }

    [Theory]
    [InlineData(5L)]   // a gap
    [InlineData(3L)]   // the last one again
    [InlineData(1L)]   // one from the past
    public void Append_should_reject_a_sequence_that_does_not_follow_the_last(long sequence)
    {
        // arrange
        var log = Filled(1, 3);

        // act
        var error = Assert.Throws<InvalidOperationException>(() => log.Append(Message(sequence)));

        // assert
        Assert.Contains($"appending {sequence} after 3", error.Message);
        Assert.Equal(3, log.Count);
        Assert.Equal(3, log.LastSequence);
        Assert.Equal(30, log.Bytes);
    }

    [Fact]
    public void Get_should_refuse_sequences_outside_the_retained_range()
    {
        // arrange
        var log = Filled(10, 12);

        // act / assert
        Assert.Throws<ArgumentOutOfRangeException>(() => log.Get(9));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.Get(13));
        Assert.False(log.Contains(9));
        Assert.True(log.Contains(10));
        Assert.True(log.Contains(12));
        Assert.False(log.Contains(13));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MessageLog().Get(1));
    }

    [Fact]
    public void RemoveOldest_should_trim_from_the_front_and_give_back_its_bytes()
    {
        // arrange
        var log = new MessageLog();
        log.Append(Message(1, size: 100));
        log.Append(Message(2, size: 7));

        // act
        log.RemoveOldest();

        // assert
        Assert.Equal(1, log.Count);
        Assert.Equal(2, log.FirstSequence);
        Assert.Equal(2, log.LastSequence);
        Assert.Equal(7, log.Bytes);
        Assert.Equal(2, log.Oldest!.Sequence);
        Assert.False(log.Contains(1));
    }

    [Fact]
    public void RemoveOldest_should_leave_an_empty_log_that_continues_after_its_last_sequence()
    {
        // arrange
        var log = Filled(1, 3);

        // act
        log.RemoveOldest();
        log.RemoveOldest();
        log.RemoveOldest();
        log.RemoveOldest();   // on an empty log: nothing to do

        // assert
        Assert.Equal(0, log.Count);
        Assert.Equal(0, log.Bytes);
        Assert.Null(log.Oldest);
        Assert.Equal(4, log.FirstSequence);
        Assert.Equal(3, log.LastSequence);
        Assert.Empty(log.All());
        log.Append(Message(4));
        Assert.Equal(4, log.Get(4).Sequence);
    }

    [Fact]
    public void ResetEmpty_should_set_where_an_empty_log_continues()
    {
        // arrange
        var log = new MessageLog();

        // act
        log.ResetEmpty(41);

        // assert
        Assert.Equal(42, log.FirstSequence);
        Assert.Equal(41, log.LastSequence);
        Assert.Equal(0, log.Count);
        Assert.Throws<InvalidOperationException>(() => Filled(1, 1).ResetEmpty(5));
    }

    [Fact]
    public void Log_should_keep_sequence_order_when_the_ring_wraps_around()
    {
        // arrange: 12 in a ring of 16, then drop 10 so the head sits at index 10
        var log = Filled(1, 12);
        for (var i = 0; i < 10; i++) log.RemoveOldest();

        // act: 14 more wrap past the end of the ring (2 + 14 = 16, the ring is full but not grown)
        for (var seq = 13L; seq <= 26; seq++) log.Append(Message(seq));

        // assert
        Assert.Equal(16, Capacity(log));
        Assert.Equal(16, log.Count);
        Assert.Equal(11, log.FirstSequence);
        Assert.Equal(26, log.LastSequence);
        for (var seq = 11L; seq <= 26; seq++) Assert.Equal(seq, log.Get(seq).Sequence);
        Assert.Equal(Enumerable.Range(11, 16).Select(i => (long)i), log.All().Select(m => m.Sequence));
        Assert.Equal(16 * 10, log.Bytes);
    }

    [Fact]
    public void Append_should_grow_a_wrapped_full_ring_and_keep_the_order()
    {
        // arrange: a full ring of 16 whose head is in the middle
        var log = Filled(1, 12);
        for (var i = 0; i < 10; i++) log.RemoveOldest();
        for (var seq = 13L; seq <= 26; seq++) log.Append(Message(seq));

        // act
        for (var seq = 27L; seq <= 100; seq++) log.Append(Message(seq));

        // assert
        Assert.Equal(128, Capacity(log));
        Assert.Equal(90, log.Count);
        for (var seq = 11L; seq <= 100; seq++) Assert.Equal(seq, log.Get(seq).Sequence);
        Assert.Equal(Enumerable.Range(11, 90).Select(i => (long)i), log.All().Select(m => m.Sequence));
    }

    [Fact]
    public void RemoveOldest_should_shrink_a_large_ring_after_its_backlog_drained_and_keep_the_order()
    {
        // arrange: a full ring of 2048 whose content wraps (head at 1000)
        var log = Filled(1, 2048);
        for (var i = 0; i < 1000; i++) log.RemoveOldest();
        for (var seq = 2049L; seq <= 3048; seq++) log.Append(Message(seq));
        Assert.Equal(2048, Capacity(log));

        // act: drain until fewer than 2048 / 8 remain
        while (log.Count >= 256) log.RemoveOldest();

        // assert
        Assert.Equal(255, log.Count);
        Assert.Equal(512, Capacity(log));
        Assert.Equal(3048 - 254, log.FirstSequence);
        Assert.Equal(3048, log.LastSequence);
        for (var seq = log.FirstSequence; seq <= 3048; seq++) Assert.Equal(seq, log.Get(seq).Sequence);
        Assert.Equal(255 * 10, log.Bytes);
        log.Append(Message(3049));
        Assert.Equal(3049, log.Get(3049).Sequence);
    }

    [Fact]
    public void RemoveOldest_should_not_shrink_a_small_ring()
    {
        // arrange
        var log = Filled(1, 1000);   // ring of 1024

        // act
        while (log.Count > 1) log.RemoveOldest();

        // assert
        Assert.Equal(1024, Capacity(log));
        Assert.Equal(1000, log.Get(1000).Sequence);
    }

    private static MessageLog Filled(long from, long to)
    {
        var log = new MessageLog();
        for (var seq = from; seq <= to; seq++) log.Append(Message(seq));
        return log;
    }

    private static TopicMessage Message(long sequence, int size = 10) =>
        new(sequence, At, new Payload(1, "", new byte[size]), null, null, null);

    // The ring is private; its length is what shows that growing and shrinking happened at all.
    private static int Capacity(MessageLog log) =>
        ((TopicMessage[])typeof(MessageLog).GetField("_ring", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(log)!).Length;
}
