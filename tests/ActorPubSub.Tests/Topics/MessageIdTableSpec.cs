using ActorPubSub.Topics;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Topics;

/// <summary>
/// The publishers' message ids a topic remembers for dedup: found within the window, forgotten after it or
/// when the table is full (oldest first). Time is passed explicitly.
/// </summary>
[Trait("Category", "Unit")]
public sealed class MessageIdTableSpec
{
    private static readonly DateTime At = new(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(2);

    [Fact]
    public void TryGet_should_find_an_id_recorded_within_the_window()
    {
        // arrange
        var table = new MessageIdTable(Window, maxIds: 100);
        table.Record("order-1", 7, At);

        // act
        var found = table.TryGet("order-1", At.AddMinutes(1), out var sequence);
        var atTheEdge = table.TryGet("order-1", At + Window, out var sequenceAtTheEdge);

        // assert
        Assert.True(found);
        Assert.Equal(7, sequence);
        Assert.True(atTheEdge);
        Assert.Equal(7, sequenceAtTheEdge);
    }

    [Fact]
    public void TryGet_should_not_find_an_id_outside_the_window_or_never_recorded()
    {
        // arrange
        var table = new MessageIdTable(Window, maxIds: 100);
        table.Record("order-1", 7, At);

        // act
        var tooOld = table.TryGet("order-1", At + Window + TimeSpan.FromTicks(1), out var oldSequence);
        var unknown = table.TryGet("order-2", At, out var unknownSequence);

        // assert
        Assert.False(tooOld);
        Assert.Equal(0, oldSequence);
        Assert.False(unknown);
        Assert.Equal(0, unknownSequence);
    }

    [Fact]
    public void Record_should_replace_an_earlier_record_of_the_same_id()
    {
        // arrange
        var table = new MessageIdTable(Window, maxIds: 100);
        table.Record("order-1", 1, At);

        // act
        table.Record("order-1", 2, At.AddMinutes(1));

        // assert: the newer sequence, and the newer timestamp decides the window
        Assert.Equal(1, table.Count);
        Assert.True(table.TryGet("order-1", At.AddMinutes(2.5), out var sequence));
        Assert.Equal(2, sequence);
        Assert.Equal([new MessageIdEntry("order-1", 2, At.AddMinutes(1))], table.Entries(At.AddMinutes(2.5)));
    }

    [Fact]
    public void Record_should_forget_the_oldest_ids_beyond_the_maximum()
    {
        // arrange
        var table = new MessageIdTable(Window, maxIds: 3);

        // act
        for (var i = 1; i <= 5; i++) table.Record($"order-{i}", i, At.AddSeconds(i));

        // assert
        Assert.Equal(3, table.Count);
        Assert.False(table.TryGet("order-1", At.AddSeconds(5), out _));
        Assert.False(table.TryGet("order-2", At.AddSeconds(5), out _));
        for (var i = 3; i <= 5; i++)
        {
            Assert.True(table.TryGet($"order-{i}", At.AddSeconds(5), out var sequence));
            Assert.Equal(i, sequence);
        }
    }

    [Fact]
    public void Record_should_count_a_replaced_id_as_recorded_when_it_was_replaced()
    {
        // arrange: a, b, then a again (now newer than b)
        var table = new MessageIdTable(Window, maxIds: 2);
        table.Record("a", 1, At);
        table.Record("b", 2, At.AddSeconds(1));
        table.Record("a", 3, At.AddSeconds(2));

        // act
        table.Record("c", 4, At.AddSeconds(3));

        // assert: b was the oldest
        Assert.Equal(2, table.Count);
        Assert.False(table.TryGet("b", At.AddSeconds(3), out _));
        Assert.True(table.TryGet("a", At.AddSeconds(3), out var a));
        Assert.Equal(3, a);
        Assert.True(table.TryGet("c", At.AddSeconds(3), out var c));
        Assert.Equal(4, c);
    }

    [Fact]
    public void Expire_should_forget_only_ids_older_than_the_window()
    {
        // arrange
        var table = new MessageIdTable(Window, maxIds: 100);
        table.Record("a", 1, At);
        table.Record("b", 2, At.AddMinutes(1));
        table.Record("c", 3, At.AddMinutes(2));

        // act: the cutoff is At + 1 min
        table.Expire(At.AddMinutes(3));

        // assert
        Assert.Equal(2, table.Count);
        Assert.Equal(["b", "c"], table.Entries(At.AddMinutes(3)).Select(e => e.MessageId).Order());
        Assert.True(table.TryGet("b", At.AddMinutes(3), out _));
    }

    [Fact]
    public void Expire_should_keep_an_id_whose_replacement_is_within_the_window()
    {
        // arrange
        var table = new MessageIdTable(Window, maxIds: 100);
        table.Record("a", 1, At);
        table.Record("a", 2, At.AddMinutes(2));

        // act: the first record is outside the window, the second inside
        table.Expire(At.AddMinutes(3));

        // assert
        Assert.Equal(1, table.Count);
        Assert.True(table.TryGet("a", At.AddMinutes(3), out var sequence));
        Assert.Equal(2, sequence);
    }

    [Fact]
    public void Expire_should_keep_the_eviction_order_after_dropping_stale_records_of_replaced_ids()
    {
        // arrange: one id replaced many times leaves many stale records behind; Expire compacts them
        var table = new MessageIdTable(Window, maxIds: 2);
        for (var i = 1; i <= 3000; i++) table.Record("a", i, At);
        table.Record("b", 3001, At.AddSeconds(1));
        table.Expire(At.AddSeconds(1));

        // act
        table.Record("c", 3002, At.AddSeconds(2));

        // assert: a (recorded first) goes, b and c stay
        Assert.Equal(2, table.Count);
        Assert.False(table.TryGet("a", At.AddSeconds(2), out _));
        Assert.True(table.TryGet("b", At.AddSeconds(2), out var b));
        Assert.Equal(3001, b);
        Assert.True(table.TryGet("c", At.AddSeconds(2), out var c));
        Assert.Equal(3002, c);
    }

    [Fact]
    public void Entries_should_list_only_ids_within_the_window()
    {
        // arrange
        var table = new MessageIdTable(Window, maxIds: 100);
        table.Record("a", 1, At);
        table.Record("b", 2, At.AddMinutes(1));
        table.Record("c", 3, At.AddMinutes(2));

        // act: the cutoff is At + 30 s
        var entries = table.Entries(At.AddMinutes(2.5)).OrderBy(e => e.Sequence).ToList();

        // assert
        Assert.Equal(
            [new MessageIdEntry("b", 2, At.AddMinutes(1)), new MessageIdEntry("c", 3, At.AddMinutes(2))],
            entries);
        Assert.Equal(3, table.Count);   // listing forgets nothing
    }

    [Fact]
    public void A_table_with_a_zero_window_should_keep_nothing()
    {
        // arrange
        var table = new MessageIdTable(TimeSpan.Zero, maxIds: 100);

        // act
        table.Record("a", 1, At);

        // assert
        Assert.Equal(0, table.Count);
        Assert.False(table.TryGet("a", At, out _));
        Assert.Empty(table.Entries(At));
    }

    [Fact]
    public void A_table_with_a_maximum_of_zero_ids_should_keep_nothing()
    {
        // arrange
        var table = new MessageIdTable(Window, maxIds: 0);

        // act
        table.Record("a", 1, At);

        // assert
        Assert.Equal(0, table.Count);
        Assert.False(table.TryGet("a", At, out _));
        Assert.Empty(table.Entries(At));
    }
}
