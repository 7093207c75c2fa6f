using ActorPubSub.Topics.Log;
using static ActorPubSub.Tests.Topics.Log.LogJournal;

namespace ActorPubSub.Tests.Topics.Log;

/// <summary>Chunks read back from the journal, shared by a topic's subscriptions; the least recently used goes first.</summary>
[Trait("Category", "Unit")]
public sealed class ReadCacheSpec
{
    private const long Cost10 = 10 + HotWindow.MessageOverhead;

    [Fact]
    public void Add_should_hold_the_page_and_return_its_cost()
    {
        // arrange
        var cache = new ReadCache();

        // act
        var cost = cache.Add(Chunk(1, 3), [.. Batch(1, 3)]);

        // assert
        Assert.Equal(3 * Cost10, cost);
        Assert.Equal(3 * Cost10, cache.Bytes);
        Assert.Equal(1, cache.Count);
        Assert.True(cache.Covers(1));
        Assert.False(cache.Covers(4));
    }

    [Fact]
    public void TryGet_should_find_a_message_and_name_its_page()
    {
        // arrange
        var cache = new ReadCache();
        cache.Add(Chunk(1, 3), [.. Batch(1, 3)]);
        cache.Add(Chunk(7, 9), [.. Batch(7, 9)]);

        // act / assert
        Assert.True(cache.TryGet(8, out var message, out var page));
        Assert.Equal(8, message.Sequence);
        Assert.Equal(7, page!.FirstSequence);
        Assert.True(cache.TryGet(1, out _, out page));
        Assert.Equal(1, page!.FirstSequence);
        Assert.False(cache.TryGet(5, out _, out page));
        Assert.Null(page);
        Assert.False(cache.TryGet(10, out _, out _));
    }

    [Fact]
    public void TryGet_should_miss_below_the_first_message_of_a_partly_dropped_page()
    {
        // arrange: chunk 1..6 read back after the log dropped below 4
        var cache = new ReadCache();
        cache.Add(Chunk(1, 6), [.. Batch(4, 6)]);

        // act / assert
        Assert.False(cache.TryGet(3, out _, out _));
        Assert.True(cache.TryGet(4, out var message, out _));
        Assert.Equal(4, message.Sequence);
        Assert.Equal(3 * Cost10, cache.Bytes);
    }

    [Fact]
    public void RemoveLeastRecentlyUsed_should_take_the_page_used_longest_ago()
    {
        // arrange: three pages added in order, then the oldest used again
        var cache = new ReadCache();
        cache.Add(Chunk(1, 3), [.. Batch(1, 3)]);
        cache.Add(Chunk(4, 5), [.. Batch(4, 5)]);
        cache.Add(Chunk(6, 9), [.. Batch(6, 9)]);
        Assert.True(cache.TryGet(2, out _, out _));

        // act
        var first = cache.RemoveLeastRecentlyUsed();
        var second = cache.RemoveLeastRecentlyUsed();

        // assert: 4..5, then 6..9; 1..3 stays (used last)
        Assert.Equal(2 * Cost10, first);
        Assert.Equal(4 * Cost10, second);
        Assert.Equal(1, cache.Count);
        Assert.True(cache.Covers(1));
        Assert.Equal(3 * Cost10, cache.Bytes);
        cache.RemoveLeastRecentlyUsed();
        Assert.Equal(0, cache.RemoveLeastRecentlyUsed());
        Assert.Equal((0, 0L), (cache.Count, cache.Bytes));
    }

    [Fact]
    public void RemoveBelow_should_remove_pages_wholly_below_only()
    {
        // arrange
        var cache = new ReadCache();
        cache.Add(Chunk(1, 3), [.. Batch(1, 3)]);
        cache.Add(Chunk(4, 6), [.. Batch(4, 6)]);
        cache.Add(Chunk(7, 9), [.. Batch(7, 9)]);

        // act
        var freed = cache.RemoveBelow(5);

        // assert
        Assert.Equal(3 * Cost10, freed);
        Assert.Equal(2, cache.Count);
        Assert.Equal(6 * Cost10, cache.Bytes);
        Assert.False(cache.Covers(1));
        Assert.True(cache.Covers(4));
    }

    [Fact]
    public void Clear_should_return_everything_held()
    {
        // arrange
        var cache = new ReadCache();
        cache.Add(Chunk(1, 3), [.. Batch(1, 3)]);
        cache.Add(Chunk(4, 4), [.. Batch(4, 4, size: 90)]);

        // act
        var freed = cache.Clear();

        // assert
        Assert.Equal(3 * Cost10 + 90 + HotWindow.MessageOverhead, freed);
        Assert.Equal((0, 0L), (cache.Count, cache.Bytes));
        Assert.False(cache.TryGet(1, out _, out _));
    }

    private static LogChunk Chunk(long first, long last) =>
        new(first, last, first, last, (last - first + 1) * 10, TopicParts.At, TopicParts.At);
}
