using ActorPubSub.Memory;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Log;
using static ActorPubSub.Tests.Topics.Log.LogJournal;

namespace ActorPubSub.Tests.Topics.Log;

/// <summary>
/// A topic's log: the newest messages in memory, the rest read back from the journal chunk by chunk when a
/// subscription wants them, within the topic's and the node's memory.
/// </summary>
[Trait("Category", "Unit")]
public sealed class MessageLogSpec
{
    private const long Cost10 = 10 + HotWindow.MessageOverhead;
    private static readonly DateTime At = TopicParts.At;

    // ---- the window and misses ----------------------------------------------------------------------------

    [Fact]
    public void Appended_should_keep_the_newest_messages_within_the_window_bytes()
    {
        // arrange: pages of 3 messages, a window of 3 messages
        var (log, journal) = New(pageBytes: 30, windowBytes: 3 * Cost10);

        // act
        for (var seq = 1L; seq <= 9; seq++) journal.Write(Message(seq));

        // assert
        Assert.Equal((1L, 9L, 9L), (log.FirstSequence, log.LastSequence, log.Count));
        Assert.Equal(90, log.Bytes);
        Assert.Equal(3, log.WindowCount);
        Assert.Equal(3 * Cost10, log.Held);
        Assert.Equal(3, log.Index.Count);
        for (var seq = 7L; seq <= 9; seq++) Assert.Equal(seq, log.Get(seq).Sequence);
        Assert.False(log.HasWants);
    }

    [Fact]
    public void TryGet_should_miss_behind_the_window_and_want_the_chunk()
    {
        // arrange
        var (log, journal) = Written(9);

        // act
        var hit = log.TryGet(2, out _);

        // assert
        Assert.False(hit);
        Assert.True(log.HasWants);
        Assert.Equal(new LogChunk(1, 3, 1, 3, 30, At, At), log.NextRead());
        Assert.Equal(1, log.Reading!.FirstSequence);
        _ = journal;
    }

    [Fact]
    public void NextRead_should_read_on_through_the_chunks_after_the_wanted_one_up_to_the_pages_of_a_read()
    {
        // arrange: chunks 1..3, 4..6, 7..9, 10..12, 13..15 on disk and a window of 16..18, written while 6 topics
        // shared the budget; then 5 of them stop, leaving room for pages beside the window; reads of up to 3 pages
        var memory = new NodeMemory(18 * Cost10, "spec");
        for (var i = 0; i < 6; i++) memory.Join();
        var log = new MessageLog(new LogSettings(PageBytes: 30, WindowBytes: 1_000_000, ReadPages: 3), memory);
        var journal = new LogJournal(log);
        for (var seq = 1L; seq <= 18; seq++) journal.Write(Message(seq));
        for (var i = 0; i < 5; i++) memory.Leave();
        Assert.Equal(3, log.WindowCount);

        // act
        Assert.False(log.TryGet(2, out _));
        var first = log.NextRead()!;
        var error = log.PageRead(first, journal.Read(first));
        Assert.False(log.TryGet(11, out _));
        var second = log.NextRead()!;

        // assert: one read for three chunks, messages 1..9, all in memory after it; the next read takes the rest
        Assert.Null(error);
        Assert.Equal((1L, 9L, 1L, 9L, 90L), (first.FirstSequence, first.LastSequence, first.FirstJournalSeqNr, first.LastJournalSeqNr, first.Bytes));
        Assert.All(Enumerable.Range(1, 9), seq => Assert.True(log.TryGet(seq, out _)));
        Assert.Equal((10L, 15L), (second.FirstSequence, second.LastSequence));
    }

    [Fact]
    public void TryGet_outside_the_log_should_miss_without_wanting_anything()
    {
        // arrange
        var (log, _) = Written(9);

        // act
        var below = log.TryGet(0, out _);
        var above = log.TryGet(10, out _);

        // assert
        Assert.False(below);
        Assert.False(above);
        Assert.False(log.HasWants);
        Assert.Null(log.NextRead());
    }

    [Fact]
    public void NextRead_should_hand_out_one_chunk_at_a_time_the_oldest_first()
    {
        // arrange: misses in chunk 4..6, then 1..3, then 4..6 again
        var (log, journal) = Written(12);
        log.TryGet(5, out _);
        log.TryGet(2, out _);
        log.TryGet(6, out _);

        // act / assert
        var first = log.NextRead();
        Assert.Equal(1, first!.FirstSequence);
        Assert.Null(log.NextRead());   // one at a time
        Assert.Null(log.PageRead(first, journal.Read(first)));
        var second = log.NextRead();
        Assert.Equal(4, second!.FirstSequence);
        Assert.Null(log.PageRead(second, journal.Read(second)));
        Assert.Null(log.NextRead());
        Assert.False(log.HasWants);
        Assert.Null(log.Reading);
    }

    [Fact]
    public void PageRead_should_fill_the_cache_from_the_chunks_journal_events_skipping_other_events()
    {
        // arrange: acks between the message events; event 3 holds two messages
        var (log, journal) = New(pageBytes: 30, windowBytes: 3 * Cost10);
        journal.Write(Message(1));
        journal.WriteOther();
        journal.Write(Message(2), Message(3));
        journal.WriteOther();
        for (var seq = 4L; seq <= 9; seq++) journal.Write(Message(seq));
        Assert.False(log.TryGet(1, out _));
        var chunk = log.NextRead()!;

        // act
        var missing = log.PageRead(chunk, journal.Read(chunk));

        // assert
        Assert.Null(missing);
        Assert.Equal((1L, 3L, 1L, 3L), (chunk.FirstSequence, chunk.LastSequence, chunk.FirstJournalSeqNr, chunk.LastJournalSeqNr));
        Assert.Equal(3, journal.Read(chunk).Count);   // the read returned the ack between them too
        for (var seq = 1L; seq <= 3; seq++) Assert.Equal(seq, log.Get(seq).Sequence);
        Assert.Null(log.Reading);
    }

    [Fact]
    public void PageRead_should_name_the_range_that_the_journal_lost_and_cache_nothing()
    {
        // arrange
        var (log, journal) = Written(9);
        log.TryGet(1, out _);
        var chunk = log.NextRead()!;
        var events = journal.Read(chunk).Where(e => e.SequenceNr != 2).ToList();

        // act
        var missing = log.PageRead(chunk, events);

        // assert
        Assert.Equal("messages 1..3 (journal events 1..3): 1 missing, the first is 2", missing);
        Assert.Null(log.Reading);
        Assert.False(log.TryGet(1, out _));
    }

    [Fact]
    public void PageRead_of_a_chunk_dropped_meanwhile_should_cache_nothing()
    {
        // arrange
        var (log, journal) = Written(9);
        log.TryGet(1, out _);
        var chunk = log.NextRead()!;
        log.DropBelow(4);

        // act
        var missing = log.PageRead(chunk, journal.Read(chunk));

        // assert
        Assert.Null(missing);
        Assert.Null(log.Reading);
        Assert.Equal(3 * Cost10, log.Held);   // the window only
    }

    [Fact]
    public void PageRead_of_a_partly_dropped_chunk_should_cache_what_is_still_retained()
    {
        // arrange
        var (log, journal) = Written(9);
        log.TryGet(3, out _);
        var chunk = log.NextRead()!;
        log.DropBelow(3);

        // act
        var missing = log.PageRead(chunk, journal.Read(chunk));

        // assert
        Assert.Null(missing);
        Assert.Equal(3, log.Get(3).Sequence);
        Assert.False(log.TryGet(2, out _));
        Assert.Equal(3 * Cost10, log.Held);   // 3 from the page, 8..9 left of the window (7 went to make room)
        Assert.Equal(2, log.WindowCount);
    }

    [Fact]
    public void ReadFailed_should_want_the_chunk_again()
    {
        // arrange
        var (log, _) = Written(9);
        log.TryGet(1, out _);
        var chunk = log.NextRead()!;

        // act
        log.ReadFailed(chunk);

        // assert
        Assert.Null(log.Reading);
        Assert.True(log.HasWants);
        Assert.Equal(chunk, log.NextRead());
    }

    [Fact]
    public void TryGet_past_the_middle_of_a_page_should_want_the_next_chunk_ahead()
    {
        // arrange: pages of 4 messages, a window of 4; page 1..4 read back
        var (log, journal) = New(pageBytes: 40, windowBytes: 4 * Cost10);
        for (var seq = 1L; seq <= 16; seq++) journal.Write(Message(seq));
        log.TryGet(1, out _);
        journal.ServeReads();

        // act / assert: 1 and 2 are in the first half; 3 is past it
        Assert.True(log.TryGet(2, out _));
        Assert.False(log.HasWants);
        Assert.True(log.TryGet(3, out _));
        Assert.True(log.HasWants);
        Assert.Equal(5, log.NextRead()!.FirstSequence);
    }

    [Fact]
    public void TryGet_past_the_middle_should_not_read_ahead_a_chunk_held_already()
    {
        // arrange: pages 1..4 and 5..8 both read back beside a window of 9..16 (written while 4 topics shared the
        // budget; 2 stopped since, so both pages fit)
        var memory = new NodeMemory(32 * Cost10, "spec");
        for (var i = 0; i < 4; i++) memory.Join();
        var (log, journal) = New(pageBytes: 40, windowBytes: 1_000_000, memory);
        for (var seq = 1L; seq <= 16; seq++) journal.Write(Message(seq));
        memory.Leave();
        memory.Leave();
        log.TryGet(1, out _);
        log.TryGet(5, out _);
        Assert.Equal([1L, 5], journal.ServeReads().Select(c => c.FirstSequence));

        // act
        Assert.True(log.TryGet(4, out _));

        // assert
        Assert.False(log.HasWants);
    }

    [Fact]
    public void TryGet_past_the_middle_should_not_read_ahead_a_chunk_that_starts_in_the_window()
    {
        // arrange: two holders share a budget of 2,000, so the window keeps 5 messages; then the other holder leaves,
        // and the share has room for the page read back beside the window
        var memory = new NodeMemory(2000, "spec");
        memory.Join();
        memory.Join();
        var (log, journal) = New(pageBytes: 10, windowBytes: 1_000_000, memory);   // a chunk per message
        for (var seq = 1L; seq <= 10; seq++) journal.Write(Message(seq));
        memory.Leave();
        Assert.Equal(6, log.Index.Find(6)!.FirstSequence);
        Assert.False(log.TryGet(5, out _));
        journal.ServeReads();

        // act: 5 is read back; the next chunk (6) is the window's first message
        Assert.True(log.TryGet(5, out _));

        // assert
        Assert.Equal(5, log.WindowCount);
        Assert.False(log.HasWants);
    }

    // ---- memory ---------------------------------------------------------------------------------------------

    [Fact]
    public void Fit_should_shrink_the_window_to_a_smaller_share_and_pages_should_take_at_most_half_of_it()
    {
        // arrange: one holder of a 2,000-byte budget keeps all 9 messages; then another topic starts
        var memory = new NodeMemory(2000, "spec");
        memory.Join();
        var (log, journal) = New(pageBytes: 30, windowBytes: 1_000_000, memory);
        for (var seq = 1L; seq <= 9; seq++) journal.Write(Message(seq));
        Assert.Equal(9, log.WindowCount);
        memory.Join();

        // act
        log.Fit();

        // assert: 5 messages (850 bytes) fit the share of 1,000
        Assert.Equal(5, log.WindowCount);
        Assert.Equal(5 * Cost10, log.Held);
        Assert.Equal(5 * Cost10, memory.Used);

        // act: page 1..3 read back: the window's oldest make room for it
        log.TryGet(1, out _);
        journal.ServeReads();

        // assert
        Assert.Equal(2, log.WindowCount);
        Assert.Equal(5 * Cost10, log.Held);
        for (var seq = 1L; seq <= 3; seq++) Assert.True(log.TryGet(seq, out _));

        // act: page 4..6 read back: pages may hold half of the share, so the older page goes and the window stays
        log.TryGet(4, out _);
        journal.ServeReads();

        // assert
        Assert.Equal(2, log.WindowCount);
        Assert.Equal(5 * Cost10, log.Held);
        Assert.True(log.TryGet(4, out _));
        Assert.False(log.TryGet(1, out _));
        Assert.Equal(log.Held, memory.Used);
    }

    [Fact]
    public void Fit_should_keep_the_last_page_read_even_when_it_is_larger_than_the_share()
    {
        // arrange: a share of 300 bytes, less than a page of 3 messages
        var memory = new NodeMemory(600, "spec");
        memory.Join();
        memory.Join();
        var (log, journal) = New(pageBytes: 30, windowBytes: 1_000_000, memory);
        memory.Add(5000);
        for (var seq = 1L; seq <= 9; seq++) journal.Write(Message(seq));
        Assert.Equal(1, log.WindowCount);

        // act
        log.TryGet(1, out _);
        journal.ServeReads();

        // assert: a subscription behind still makes progress
        Assert.Equal(0, log.WindowCount);
        for (var seq = 1L; seq <= 3; seq++) Assert.True(log.TryGet(seq, out _));
        Assert.Equal(3 * Cost10, log.Held);
    }

    [Fact]
    public void Fit_under_the_node_budget_should_keep_the_window_bytes()
    {
        // arrange: a node far from its budget
        var memory = new NodeMemory(1 << 30, "spec");
        memory.Join();
        var (log, journal) = New(pageBytes: 30, windowBytes: 4 * Cost10, memory);

        // act
        for (var seq = 1L; seq <= 9; seq++) journal.Write(Message(seq));
        log.Fit();

        // assert
        Assert.Equal(4, log.WindowCount);
        Assert.Equal(4 * Cost10, memory.Used);
    }

    [Fact]   // pages read back give way down to half of the allowance before the window's newest do
    public void Appended_should_keep_the_newest_message_in_memory_when_read_back_pages_fill_the_allowance()
    {
        // arrange: a window of 6 messages; pages 1..3 and 4..6 read back for a subscription behind
        var (log, journal) = New(pageBytes: 30, windowBytes: 6 * Cost10);
        for (var seq = 1L; seq <= 12; seq++) journal.Write(Message(seq));
        log.TryGet(1, out _);
        log.TryGet(4, out _);
        journal.ServeReads();

        // act: a new message is published; subscriptions that keep up want it next
        journal.Write(Message(13));

        // assert
        Assert.True(log.TryGet(13, out _));
        Assert.False(log.HasWants);
    }

    [Fact]
    public void Memory_should_count_what_the_log_holds_and_return_to_zero_after_Release()
    {
        // arrange
        var memory = new NodeMemory(1 << 30, "spec");
        var (log, journal) = New(pageBytes: 30, windowBytes: 6 * Cost10, memory);

        // act / assert: writes, evictions, reads, drops — the node counts what the log holds
        for (var seq = 1L; seq <= 12; seq++) journal.Write(Message(seq));
        Assert.Equal(log.Held, memory.Used);
        log.TryGet(1, out _);
        log.TryGet(4, out _);
        journal.ServeReads();
        Assert.Equal(6 * Cost10, log.Held);
        Assert.Equal(log.Held, memory.Used);
        log.DropBelow(5);
        Assert.Equal(log.Held, memory.Used);
        log.Fit();
        Assert.Equal(log.Held, memory.Used);
        log.Release();

        // assert
        Assert.Equal(0, memory.Used);
    }

    [Fact]
    public void Memory_should_count_pinned_messages_and_return_to_zero_after_Release()
    {
        // arrange
        var memory = new NodeMemory(1 << 30, "spec");
        var (log, journal) = New(pageBytes: 30, windowBytes: 1_000_000, memory);

        // act
        log.Restore(1, 3, [], [Message(1, 100), Message(2, 100), Message(3, 100)]);
        var afterRestore = memory.Used;
        journal.Write(Message(4));
        log.DropBelow(2);
        var afterDrop = memory.Used;
        log.Release();

        // assert
        Assert.Equal(300, afterRestore);
        Assert.Equal(200 + Cost10, afterDrop);
        Assert.Equal(0, memory.Used);
    }

    // ---- dropping ------------------------------------------------------------------------------------------

    [Fact]
    public void DropBelow_should_drop_chunks_window_pages_and_wants()
    {
        // arrange: window 7..9, page 1..3 read back, chunk 4..6 wanted
        var (log, journal) = New(pageBytes: 30, windowBytes: 6 * Cost10);
        for (var seq = 1L; seq <= 9; seq++) journal.Write(Message(seq));
        log.TryGet(1, out _);
        journal.ServeReads();
        log.TryGet(4, out _);

        // act
        log.DropBelow(8);

        // assert
        Assert.Equal((8L, 9L, 2L), (log.FirstSequence, log.LastSequence, log.Count));
        Assert.Equal(1, log.Index.Count);          // chunk 7..9 stays while 8 and 9 are retained
        Assert.Equal(30, log.Bytes);
        Assert.Equal(2 * Cost10, log.Held);
        Assert.False(log.HasWants);
        Assert.Null(log.NextRead());
        Assert.False(log.TryGet(7, out _));
        Assert.Equal(8, log.Get(8).Sequence);
    }

    [Fact]
    public void DropBelow_past_the_end_should_empty_the_log_and_let_it_continue()
    {
        // arrange
        var (log, journal) = Written(9);

        // act
        log.DropBelow(100);

        // assert
        Assert.Equal((10L, 9L, 0L), (log.FirstSequence, log.LastSequence, log.Count));
        Assert.Equal((0L, 0L), (log.Bytes, log.Held));
        journal.Write(Message(10));
        Assert.Equal((10L, 10L), (log.FirstSequence, log.LastSequence));
        Assert.Equal(10, log.Get(10).Sequence);
    }

    [Fact]
    public void DropBelow_should_never_move_the_log_back()
    {
        // arrange
        var (log, _) = Written(9);
        log.DropBelow(5);

        // act
        log.DropBelow(2);

        // assert
        Assert.Equal(5, log.FirstSequence);
    }

    // ---- restore -------------------------------------------------------------------------------------------

    [Fact]
    public void Restore_of_an_old_snapshot_should_hold_its_messages_pinned_in_memory()
    {
        // arrange
        var (log, journal) = New(pageBytes: 30, windowBytes: 3 * Cost10);

        // act: messages 5..7 held only in the snapshot; 8.. written to the journal afterwards
        log.Restore(5, 7, [], [Message(5), Message(6), Message(7)]);
        for (var seq = 8L; seq <= 12; seq++) journal.Write(Message(seq));

        // assert: pinned messages stay in memory whatever the window keeps
        Assert.Equal((5L, 12L, 8L), (log.FirstSequence, log.LastSequence, log.Count));
        Assert.Equal([5L, 6, 7], log.Pinned.Select(m => m.Sequence));
        for (var seq = 5L; seq <= 7; seq++) Assert.Equal(seq, log.Get(seq).Sequence);
        Assert.Equal(80, log.Bytes);
        Assert.False(log.HasWants);

        // act: the drop reaches the pinned messages
        log.DropBelow(7);

        // assert
        Assert.Equal([7L], log.Pinned.Select(m => m.Sequence));
        Assert.Equal(60, log.Bytes);
    }

    [Fact]
    public void Restore_should_skip_pinned_messages_that_do_not_follow_the_previous_one()
    {
        // arrange
        var (log, _) = New(pageBytes: 30, windowBytes: 1_000_000);

        // act
        log.Restore(1, 4, [], [Message(1), Message(2), Message(4)]);

        // assert
        Assert.Equal([1L, 2], log.Pinned.Select(m => m.Sequence));
        Assert.Equal(20, log.Bytes);
    }

    [Fact]
    public void Restore_should_bring_back_the_chunks_and_read_them_back_on_a_miss()
    {
        // arrange: a log written, snapshotted without bodies, and restored in a fresh log
        var (written, journal) = Written(9);
        written.DropBelow(2);
        var (log, _) = New(pageBytes: 30, windowBytes: 3 * Cost10);

        // act
        log.Restore(written.FirstSequence, written.LastSequence, written.Index.All, []);

        // assert
        Assert.Equal((2L, 9L), (log.FirstSequence, log.LastSequence));
        Assert.Equal(0, log.WindowCount);
        Assert.False(log.TryGet(2, out _));
        var chunk = log.NextRead()!;
        Assert.Null(log.PageRead(chunk, journal.Read(chunk)));
        Assert.Equal(2, log.Get(2).Sequence);
        Assert.False(log.TryGet(1, out _));
    }

    // ---- time and the journal -----------------------------------------------------------------------------

    [Fact]
    public void LastBefore_should_use_whole_chunks_then_messages_in_memory()
    {
        // arrange: message n published at At + n s; chunks of 3; window 6..9 after the writes
        var (log, journal) = New(pageBytes: 30, windowBytes: 4 * Cost10);
        for (var seq = 1L; seq <= 9; seq++) journal.Write(Message(seq, at: At.AddSeconds(seq)));

        // act / assert
        Assert.Equal(0, log.LastBefore(At.AddSeconds(1)));
        Assert.Equal(3, log.LastBefore(At.AddSeconds(4)));      // chunk 1..3 wholly before; 4 is on disk only
        Assert.Equal(7, log.LastBefore(At.AddSeconds(7.5)));    // chunk 4..6, then 7 from the window
        Assert.Equal(9, log.LastBefore(At.AddDays(1)));
        Assert.Equal(3, log.LastBefore(At.AddSeconds(5.5)));    // 4 and 5 are before it, but not in memory: never later than the truth
    }

    [Fact]
    public void LastBefore_should_count_pinned_messages()
    {
        // arrange
        var (log, _) = New(pageBytes: 30, windowBytes: 1_000_000);
        log.Restore(1, 3, [], [Message(1, at: At.AddSeconds(1)), Message(2, at: At.AddSeconds(2)), Message(3, at: At.AddSeconds(3))]);

        // act / assert
        Assert.Equal(2, log.LastBefore(At.AddSeconds(2.5)));
        Assert.Equal(0, log.LastBefore(At));
    }

    [Fact]
    public void TimestampOf_should_be_exact_in_memory_and_the_chunks_first_time_on_disk()
    {
        // arrange
        var (log, journal) = New(pageBytes: 30, windowBytes: 3 * Cost10);
        for (var seq = 1L; seq <= 9; seq++) journal.Write(Message(seq, at: At.AddSeconds(seq)));

        // act / assert
        Assert.Equal(At.AddSeconds(8), log.TimestampOf(8));
        Assert.Equal(At.AddSeconds(4), log.TimestampOf(5));
        Assert.Null(log.TimestampOf(10));
        Assert.False(log.HasWants);
    }

    [Fact]
    public void JournalNotNeededUpTo_should_stop_before_the_first_retained_chunks_events()
    {
        // arrange: acks between the messages: journal events 1 (m1) 2 (ack) 3 (m2) 4 (ack) ...
        var (log, journal) = New(pageBytes: 10, windowBytes: 1_000_000);
        for (var seq = 1L; seq <= 5; seq++)
        {
            journal.Write(Message(seq));
            journal.WriteOther();
        }

        // act / assert
        Assert.Equal(0, log.JournalNotNeededUpTo(8));
        log.DropBelow(3);                                    // chunk of m3 starts at event 5
        Assert.Equal(4, log.JournalNotNeededUpTo(8));
        Assert.Equal(2, log.JournalNotNeededUpTo(2));        // never past the snapshot
        log.DropBelow(6);                                    // nothing retained
        Assert.Equal(10, log.JournalNotNeededUpTo(10));
    }

    private static (MessageLog Log, LogJournal Journal) New(long pageBytes, long windowBytes, NodeMemory? memory = null)
    {
        // one page per read, so each spec sees the chunks it names (reads of several pages: NextRead_should_read_on_…)
        var log = new MessageLog(new LogSettings(pageBytes, windowBytes, ReadPages: 1), memory);
        return (log, new LogJournal(log));
    }

    /// <summary>Messages 1..<paramref name="count"/>, one event each; chunks of 3; a window of 3.</summary>
    private static (MessageLog Log, LogJournal Journal) Written(int count)
    {
        var (log, journal) = New(pageBytes: 30, windowBytes: 3 * Cost10);
        for (var seq = 1L; seq <= count; seq++) journal.Write(Message(seq));
        return (log, journal);
    }
}
