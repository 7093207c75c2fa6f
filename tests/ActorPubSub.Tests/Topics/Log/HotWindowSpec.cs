using System.Reflection;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Log;
using static ActorPubSub.Tests.Topics.Log.LogJournal;

namespace ActorPubSub.Tests.Topics.Log;

/// <summary>The newest messages of a topic in memory: a ring buffer addressed by sequence.</summary>
[Trait("Category", "Unit")]
public sealed class HotWindowSpec
{
    private const long Cost10 = 10 + HotWindow.MessageOverhead;

    [Fact]
    public void Append_should_make_each_message_retrievable_by_its_sequence()
    {
        // arrange
        var window = new HotWindow();

        // act
        for (var seq = 1L; seq <= 5; seq++) window.Append(Message(seq, size: (int)seq * 10));

        // assert
        Assert.Equal(5, window.Count);
        Assert.Equal((1L, 5L), (window.FirstSequence, window.LastSequence));
        Assert.Equal(10 + 20 + 30 + 40 + 50 + 5 * HotWindow.MessageOverhead, window.Bytes);
        for (var seq = 1L; seq <= 5; seq++)
        {
            Assert.True(window.TryGet(seq, out var m));
            Assert.Equal(seq, m.Sequence);
        }
    }

    [Fact]
    public void TryGet_should_miss_outside_the_window()
    {
        // arrange
        var window = Filled(10, 12);

        // act / assert
        Assert.False(window.TryGet(9, out _));
        Assert.False(window.TryGet(13, out _));
        Assert.False(window.Contains(9));
        Assert.True(window.Contains(10));
        Assert.True(window.Contains(12));
        Assert.False(new HotWindow().TryGet(1, out _));
    }

    [Fact]
    public void Append_should_start_at_the_sequence_of_its_first_message()
    {
        // arrange
        var window = new HotWindow();

        // act
        window.Append(Message(500));
        window.Append(Message(501));

        // assert
        Assert.Equal((500L, 501L, 2), (window.FirstSequence, window.LastSequence, window.Count));
        Assert.False(window.Contains(499));
    }

    [Theory]
    [InlineData(7L)]   // a gap
    [InlineData(2L)]   // one from the past
    public void Append_of_a_message_that_does_not_follow_should_start_the_window_afresh(long sequence)
    {
        // arrange
        var window = Filled(1, 4);

        // act
        window.Append(Message(sequence, size: 33));

        // assert: only the new message is held, and its bytes only
        Assert.Equal(1, window.Count);
        Assert.Equal((sequence, sequence), (window.FirstSequence, window.LastSequence));
        Assert.Equal(33 + HotWindow.MessageOverhead, window.Bytes);
        Assert.True(window.TryGet(sequence, out var m));
        Assert.Equal(33, m.Payload.Bytes.Length);
        Assert.False(window.Contains(sequence == 2 ? 3 : 4));
    }

    [Fact]
    public void RemoveOldest_should_trim_from_the_front_and_return_its_cost()
    {
        // arrange
        var window = new HotWindow();
        window.Append(Message(1, size: 100));
        window.Append(Message(2, size: 7));

        // act
        var freed = window.RemoveOldest();

        // assert
        Assert.Equal(100 + HotWindow.MessageOverhead, freed);
        Assert.Equal((2L, 2L, 1), (window.FirstSequence, window.LastSequence, window.Count));
        Assert.Equal(7 + HotWindow.MessageOverhead, window.Bytes);
        Assert.False(window.TryGet(1, out _));
    }

    [Fact]
    public void RemoveOldest_should_leave_an_empty_window_that_continues_after_its_last_sequence()
    {
        // arrange
        var window = Filled(1, 3);

        // act
        for (var i = 0; i < 3; i++) window.RemoveOldest();
        var onEmpty = window.RemoveOldest();

        // assert
        Assert.Equal(0, onEmpty);
        Assert.Equal((0, 0L), (window.Count, window.Bytes));
        Assert.Equal((4L, 3L), (window.FirstSequence, window.LastSequence));
        window.Append(Message(4));
        Assert.True(window.TryGet(4, out _));
    }

    [Fact]
    public void RemoveBelow_should_remove_only_older_messages_and_return_their_cost()
    {
        // arrange
        var window = Filled(1, 10);

        // act
        var freed = window.RemoveBelow(4);
        var none = window.RemoveBelow(2);

        // assert
        Assert.Equal(3 * Cost10, freed);
        Assert.Equal(0, none);
        Assert.Equal((4L, 10L, 7), (window.FirstSequence, window.LastSequence, window.Count));
        Assert.Equal(7 * Cost10, window.Bytes);
        Assert.False(window.TryGet(3, out _));
        Assert.True(window.TryGet(4, out _));
    }

    [Fact]
    public void RemoveBelow_past_the_end_should_empty_the_window_and_continue_from_there()
    {
        // arrange
        var window = Filled(1, 3);

        // act
        var freed = window.RemoveBelow(20);

        // assert
        Assert.Equal(3 * Cost10, freed);
        Assert.Equal(0, window.Count);
        Assert.Equal(0, window.Bytes);
        Assert.Equal(20, window.FirstSequence);
        Assert.Equal(19, window.LastSequence);
    }

    [Fact]
    public void Clear_should_return_the_cost_held_and_continue_after_the_last_sequence()
    {
        // arrange
        var window = Filled(5, 9);

        // act
        var freed = window.Clear();

        // assert
        Assert.Equal(5 * Cost10, freed);
        Assert.Equal((0, 0L), (window.Count, window.Bytes));
        Assert.Equal(10, window.FirstSequence);
        Assert.Equal(16, Capacity(window));
        window.Append(Message(10));
        Assert.Equal((10L, 10L), (window.FirstSequence, window.LastSequence));
    }

    [Fact]
    public void Window_should_keep_sequence_order_when_the_ring_wraps_around()
    {
        // arrange: 12 in a ring of 16, then drop 10 so the head sits at index 10
        var window = Filled(1, 12);
        for (var i = 0; i < 10; i++) window.RemoveOldest();

        // act: 14 more wrap past the end of the ring (2 + 14 = 16: full, not grown)
        for (var seq = 13L; seq <= 26; seq++) window.Append(Message(seq));

        // assert
        Assert.Equal(16, Capacity(window));
        Assert.Equal((11L, 26L, 16), (window.FirstSequence, window.LastSequence, window.Count));
        for (var seq = 11L; seq <= 26; seq++) Assert.Equal(seq, Get(window, seq).Sequence);
        Assert.Equal(16 * Cost10, window.Bytes);
    }

    [Fact]
    public void Append_should_grow_a_wrapped_full_ring_and_keep_the_order()
    {
        // arrange: a full ring of 16 whose head is in the middle
        var window = Filled(1, 12);
        for (var i = 0; i < 10; i++) window.RemoveOldest();
        for (var seq = 13L; seq <= 26; seq++) window.Append(Message(seq));

        // act
        for (var seq = 27L; seq <= 100; seq++) window.Append(Message(seq));

        // assert
        Assert.Equal(128, Capacity(window));
        Assert.Equal(90, window.Count);
        for (var seq = 11L; seq <= 100; seq++) Assert.Equal(seq, Get(window, seq).Sequence);
    }

    [Fact]
    public void RemoveOldest_should_shrink_a_large_ring_after_it_drained_and_keep_the_order()
    {
        // arrange: a full ring of 2048 whose content wraps (head at 1000)
        var window = Filled(1, 2048);
        for (var i = 0; i < 1000; i++) window.RemoveOldest();
        for (var seq = 2049L; seq <= 3048; seq++) window.Append(Message(seq));
        Assert.Equal(2048, Capacity(window));

        // act: drain until fewer than 2048 / 8 remain
        while (window.Count >= 256) window.RemoveOldest();

        // assert
        Assert.Equal(255, window.Count);
        Assert.Equal(512, Capacity(window));
        Assert.Equal(3048 - 254, window.FirstSequence);
        for (var seq = window.FirstSequence; seq <= 3048; seq++) Assert.Equal(seq, Get(window, seq).Sequence);
        Assert.Equal(255 * Cost10, window.Bytes);
        window.Append(Message(3049));
        Assert.Equal(3049, Get(window, 3049).Sequence);
    }

    [Fact]
    public void RemoveBelow_should_shrink_a_large_ring_too()
    {
        // arrange
        var window = Filled(1, 4000);   // ring of 4096

        // act
        window.RemoveBelow(3990);

        // assert: shrunk once, when fewer than 4096 / 8 remained (a ring of 1024 or less is not shrunk)
        Assert.Equal(11, window.Count);
        Assert.Equal(1024, Capacity(window));
        for (var seq = 3990L; seq <= 4000; seq++) Assert.Equal(seq, Get(window, seq).Sequence);
    }

    [Fact]
    public void RemoveOldest_should_not_shrink_a_small_ring()
    {
        // arrange
        var window = Filled(1, 1000);   // ring of 1024

        // act
        while (window.Count > 1) window.RemoveOldest();

        // assert
        Assert.Equal(1024, Capacity(window));
        Assert.Equal(1000, Get(window, 1000).Sequence);
    }

    private static HotWindow Filled(long from, long to)
    {
        var window = new HotWindow();
        for (var seq = from; seq <= to; seq++) window.Append(Message(seq));
        return window;
    }

    private static TopicMessage Get(HotWindow window, long sequence) =>
        window.TryGet(sequence, out var m) ? m : throw new InvalidOperationException($"{sequence} is not in the window.");

    // The ring is private; its length is what shows that growing and shrinking happened at all.
    private static int Capacity(HotWindow window) =>
        ((TopicMessage[])typeof(HotWindow).GetField("_ring", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(window)!).Length;
}
