using System.Reflection;
using ActorPubSub.Topics.Log;
using static ActorPubSub.Tests.Topics.Log.LogJournal;

namespace ActorPubSub.Tests.Topics.Log;

/// <summary>Where a topic's retained messages lie in its journal: chunks of about a page, found by binary search.</summary>
[Trait("Category", "Unit")]
public sealed class JournalIndexSpec
{
    private static readonly DateTime At = TopicParts.At;

    [Fact]
    public void Append_should_extend_the_last_chunk_until_it_reaches_the_page_size()
    {
        // arrange: pages of 30 bytes, messages of 10
        var index = new JournalIndex(30);

        // act: one event per message
        for (var seq = 1L; seq <= 7; seq++) index.Append(seq, [Message(seq, at: At.AddSeconds(seq))]);

        // assert: 1..3, 4..6, 7 — each with the journal events and times of its messages
        Assert.Equal(3, index.Count);
        Assert.Equal(70, index.Bytes);
        Assert.Equal(
            [new LogChunk(1, 3, 1, 3, 30, At.AddSeconds(1), At.AddSeconds(3)),
             new LogChunk(4, 6, 4, 6, 30, At.AddSeconds(4), At.AddSeconds(6)),
             new LogChunk(7, 7, 7, 7, 10, At.AddSeconds(7), At.AddSeconds(7))],
            index.All);
        Assert.Equal(1, index.First!.FirstSequence);
        Assert.Equal(7, index.Last!.FirstSequence);
    }

    [Fact]
    public void Append_should_put_a_whole_event_into_the_open_chunk_even_past_the_page_size()
    {
        // arrange
        var index = new JournalIndex(30);
        index.Append(1, Batch(1, 2));

        // act: an event of 5 messages joins the chunk that is under its page size
        index.Append(2, Batch(3, 7));
        index.Append(3, Batch(8, 8));

        // assert
        Assert.Equal([(1L, 7L, 1L, 2L, 70L), (8L, 8L, 3L, 3L, 10L)],
            index.All.Select(c => (c.FirstSequence, c.LastSequence, c.FirstJournalSeqNr, c.LastJournalSeqNr, c.Bytes)));
    }

    [Fact]
    public void Append_after_a_gap_should_open_a_new_chunk()
    {
        // arrange
        var index = new JournalIndex(1000);
        index.Append(1, Batch(1, 2));

        // act: sequences 3..4 never reached the log (e.g. dropped meanwhile); 5 starts a chunk of its own
        index.Append(4, Batch(5, 5));

        // assert
        Assert.Equal([(1L, 2L), (5L, 5L)], index.All.Select(c => (c.FirstSequence, c.LastSequence)));
        Assert.Null(index.Find(3));
        Assert.Null(index.Find(4));
        Assert.Equal(5, index.Find(5)!.FirstSequence);
    }

    [Theory]
    [InlineData(3L, 100L)]  // the last one again, the open chunk under the page size
    [InlineData(2L, 100L)]  // one from the past
    [InlineData(3L, 20L)]   // the last one again, the last chunk full
    public void Append_out_of_order_should_be_refused_and_change_nothing(long sequence, long pageBytes)
    {
        // arrange
        var index = new JournalIndex(pageBytes);
        index.Append(1, Batch(1, 3));
        var before = index.All.ToList();

        // act
        var error = Assert.Throws<InvalidOperationException>(() => index.Append(2, [Message(sequence)]));

        // assert
        Assert.Contains($"messages from {sequence} after a chunk ending at 3", error.Message);
        Assert.Equal(before, index.All);
        Assert.Equal(30, index.Bytes);
    }

    [Fact]
    public void Find_should_locate_every_sequence_across_many_chunks()
    {
        // arrange: 1,000 chunks of 3 messages, each chunk one event
        var index = new JournalIndex(30);
        for (var c = 0L; c < 1000; c++) index.Append(c + 1, Batch(c * 3 + 1, c * 3 + 3));

        // act / assert
        Assert.Equal(1000, index.Count);
        for (var seq = 1L; seq <= 3000; seq++)
        {
            var chunk = index.Find(seq);
            Assert.NotNull(chunk);
            Assert.True(chunk.Contains(seq));
            Assert.Equal((seq - 1) / 3 + 1, chunk.FirstJournalSeqNr);
        }
        Assert.Null(index.Find(0));
        Assert.Null(index.Find(3001));
    }

    [Fact]
    public void After_should_give_the_next_chunk_or_null_at_the_end()
    {
        // arrange
        var index = new JournalIndex(30);
        for (var c = 0L; c < 50; c++) index.Append(c + 1, Batch(c * 3 + 1, c * 3 + 3));

        // act
        var walked = new List<long>();
        for (var chunk = index.First; chunk is not null; chunk = index.After(chunk)) walked.Add(chunk.FirstSequence);

        // assert
        Assert.Equal(Enumerable.Range(0, 50).Select(c => c * 3L + 1), walked);
        Assert.Null(index.After(index.Last!));
    }

    [Fact]
    public void DropBelow_should_drop_whole_chunks_only_and_their_bytes()
    {
        // arrange
        var index = new JournalIndex(30);
        for (var c = 0L; c < 4; c++) index.Append(c + 1, Batch(c * 3 + 1, c * 3 + 3));

        // act: 5 lies in the second chunk (4..6), which stays
        index.DropBelow(5);

        // assert
        Assert.Equal(3, index.Count);
        Assert.Equal(90, index.Bytes);
        Assert.Equal(4, index.First!.FirstSequence);
        Assert.Null(index.Find(3));
        Assert.Equal(4, index.Find(4)!.FirstSequence);   // the partly dropped chunk still says where its messages lie
    }

    [Fact]
    public void DropBelow_should_compact_and_keep_finding_chunks()
    {
        // arrange: 200 chunks
        var index = new JournalIndex(30);
        for (var c = 0L; c < 200; c++) index.Append(c + 1, Batch(c * 3 + 1, c * 3 + 3));

        // act: drop 50 chunks (no compaction yet), then 100 more (more than half the list dropped)
        index.DropBelow(151);
        var headAfterFirstDrop = Head(index);
        index.DropBelow(451);

        // assert
        Assert.Equal(50, headAfterFirstDrop);
        Assert.Equal(0, Head(index));
        Assert.Equal(50, index.Count);
        Assert.Equal(50 * 30, index.Bytes);
        Assert.Equal(451, index.First!.FirstSequence);
        Assert.Equal(600, index.Last!.LastSequence);
        Assert.Null(index.Find(450));
        for (var seq = 451L; seq <= 600; seq++) Assert.True(index.Find(seq)!.Contains(seq));
        Assert.Equal(50, index.All.Count());

        // and appending carries on after the compaction
        index.Append(201, Batch(601, 603));
        Assert.Equal(601, index.Find(602)!.FirstSequence);
    }

    [Fact]
    public void DropBelow_past_everything_should_empty_the_index_and_let_it_grow_again()
    {
        // arrange
        var index = new JournalIndex(30);
        index.Append(1, Batch(1, 3));
        index.Append(2, Batch(4, 6));

        // act
        index.DropBelow(7);

        // assert
        Assert.Equal((0, 0L), (index.Count, index.Bytes));
        Assert.Null(index.First);
        Assert.Null(index.Last);
        Assert.Null(index.Find(6));
        index.Append(3, Batch(7, 7));
        Assert.Equal(7, index.First!.FirstSequence);
        Assert.Equal(10, index.Bytes);
    }

    [Fact]
    public void LastWhollyBefore_should_count_only_chunks_whose_last_message_is_older()
    {
        // arrange: chunks 1..3 (t1..t3), 4..6 (t4..t6), 7..9 (t7..t9)
        var index = Timed(9);

        // act / assert
        Assert.Equal(0, index.LastWhollyBefore(At.AddSeconds(1)));
        Assert.Equal(0, index.LastWhollyBefore(At.AddSeconds(3)));      // 3 is not before t3
        Assert.Equal(3, index.LastWhollyBefore(At.AddSeconds(3.5)));
        Assert.Equal(3, index.LastWhollyBefore(At.AddSeconds(6)));
        Assert.Equal(6, index.LastWhollyBefore(At.AddSeconds(7)));
        Assert.Equal(9, index.LastWhollyBefore(At.AddDays(1)));
        index.DropBelow(4);
        Assert.Equal(6, index.LastWhollyBefore(At.AddSeconds(7)));
    }

    [Fact]
    public void FirstAtOrAfter_should_find_the_chunk_holding_the_first_message_at_or_after_a_time()
    {
        // arrange
        var index = Timed(9);

        // act / assert
        Assert.Equal(1, index.FirstAtOrAfter(At)!.FirstSequence);
        Assert.Equal(1, index.FirstAtOrAfter(At.AddSeconds(3))!.FirstSequence);
        Assert.Equal(4, index.FirstAtOrAfter(At.AddSeconds(3.5))!.FirstSequence);
        Assert.Equal(7, index.FirstAtOrAfter(At.AddSeconds(9))!.FirstSequence);
        Assert.Null(index.FirstAtOrAfter(At.AddSeconds(9.5)));
        index.DropBelow(7);
        Assert.Equal(7, index.FirstAtOrAfter(At)!.FirstSequence);
    }

    [Theory]
    [InlineData(90L, 0L)]    // fits: nothing to drop
    [InlineData(89L, 3L)]    // one byte over: the oldest chunk goes
    [InlineData(60L, 3L)]
    [InlineData(59L, 6L)]
    [InlineData(0L, 9L)]     // everything
    public void LastToDropForBytes_should_drop_whole_chunks_from_the_oldest(long maxBytes, long expected)
    {
        // arrange: three chunks of 30 bytes
        var index = Timed(9);

        // act
        var last = index.LastToDropForBytes(maxBytes);

        // assert
        Assert.Equal(expected, last);
    }

    [Fact]
    public void Restore_should_replace_the_chunks_and_their_bytes()
    {
        // arrange
        var index = new JournalIndex(30);
        index.Append(1, Batch(1, 3));
        var chunks = new[]
        {
            new LogChunk(100, 120, 40, 44, 300, At, At.AddSeconds(1)),
            new LogChunk(121, 150, 46, 50, 250, At.AddSeconds(2), At.AddSeconds(3)),
        };

        // act
        index.Restore(chunks);

        // assert
        Assert.Equal(chunks, index.All);
        Assert.Equal(550, index.Bytes);
        Assert.Null(index.Find(2));
        Assert.Equal(chunks[1], index.Find(121));
        Assert.Equal(chunks[0], index.Find(120));

        // a restored chunk of the full page size is closed: the next event opens a new one
        index.Append(51, Batch(151, 151));
        Assert.Equal(3, index.Count);
    }

    /// <summary>Chunks of 3 messages of 10 bytes; message n published at At + n seconds.</summary>
    private static JournalIndex Timed(long count)
    {
        var index = new JournalIndex(30);
        for (var seq = 1L; seq <= count; seq++) index.Append(seq, [Message(seq, at: At.AddSeconds(seq))]);
        return index;
    }

    private static int Head(JournalIndex index) =>
        (int)typeof(JournalIndex).GetField("_head", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(index)!;
}
