using ActorPubSub.DeadLetters;
using static ActorPubSub.Tests.DeadLetters.DeadLetterSamples;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.DeadLetters;

/// <summary>The in-memory state of a dead-letter store: intake without gaps, upsert by sequence, paging.</summary>
[Trait("Category", "Unit")]
public sealed class DeadLetterStoreSpec
{
    private static readonly Guid A = Guid.Parse("11111111-1111-1111-1111-111111111111");
    private static readonly Guid B = Guid.Parse("22222222-2222-2222-2222-222222222222");

    [Fact]
    public void Continuation_should_skip_resends_take_the_next_ids_and_stop_at_a_gap()
    {
        // arrange
        var store = new DeadLetterStore();
        store.Add(new DeadLettersAdded(A, Letters(1, 1, 2)));

        // act
        var taken = store.Continuation(A, [.. Letters(1, 1, 2, 3, 4), Letter(6, 6), Letter(7, 7)], out var gap);

        // assert
        Assert.Equal(new long[] { 3, 4 }, taken.Select(l => l.Id).ToArray());
        Assert.True(gap);
        Assert.Equal(2, store.HighestId(A));   // nothing changes until the event is applied
    }

    [Fact]
    public void Continuation_should_start_a_new_incarnation_at_1()
    {
        var store = new DeadLetterStore();
        store.Add(new DeadLettersAdded(A, Letters(1, 1, 2, 3)));

        Assert.Empty(store.Continuation(B, Letters(2, 10), out var gap));
        Assert.True(gap);
        Assert.Single(store.Continuation(B, Letters(1, 10), out gap));
        Assert.False(gap);
        Assert.Empty(store.Continuation(A, default, out _));
    }

    [Fact]
    public void Add_should_replace_the_letter_of_the_same_sequence_and_keep_the_order()
    {
        // arrange
        var store = new DeadLetterStore();
        store.Add(new DeadLettersAdded(A, Letters(1, 30, 10, 20)));

        // act
        store.Add(new DeadLettersAdded(A, [Letter(4, 10, "again")]));

        // assert
        Assert.Equal(3, store.Count);
        Assert.Equal(new long[] { 10, 20, 30 }, store.All.Select(l => l.Sequence).ToArray());
        Assert.True(store.TryGet(10, out var replaced));
        Assert.True(store.TryGetBody(replaced, out var body));   // Add without a journal position keeps the body
        Assert.Equal((4L, "again"), (replaced.Id, body.LastError));
        Assert.Equal(4, store.HighestId(A));
    }

    [Fact]
    public void After_should_start_after_the_given_sequence()
    {
        var store = new DeadLetterStore();
        store.Add(new DeadLettersAdded(A, Letters(1, 5, 10, 15)));

        Assert.Equal(new long[] { 5, 10, 15 }, store.After(long.MinValue).Select(l => l.Sequence).ToArray());
        Assert.Equal(new long[] { 10, 15 }, store.After(5).Select(l => l.Sequence).ToArray());
        Assert.Equal(new long[] { 10, 15 }, store.After(7).Select(l => l.Sequence).ToArray());
        Assert.Empty(store.After(15));
        Assert.Empty(store.After(long.MaxValue));
        Assert.Empty(new DeadLetterStore().After(0));
    }

    [Fact]
    public void Remove_and_snapshot_should_restore_the_same_state()
    {
        // arrange
        var store = new DeadLetterStore();
        store.Add(new DeadLettersAdded(A, Letters(1, 1, 2, 3)));
        store.Add(new DeadLettersAdded(B, Letters(1, 4)));
        store.Remove(new DeadLettersRemoved([2, 99], DeadLetterRemoval.Purged));

        // act
        var restored = new DeadLetterStore();
        restored.Restore(store.ToSnapshot());

        // assert
        Assert.Equal(new long[] { 1, 3, 4 }, restored.Sequences.ToArray());
        Assert.Equal((3L, 1L), (restored.HighestId(A), restored.HighestId(B)));
        Assert.Equal(0, restored.HighestId(Guid.NewGuid()));
    }

    [Fact]
    public void Page_should_stop_at_the_limit_or_the_byte_budget_and_say_where_to_continue()
    {
        // arrange: letters of "m5", "m10", "m15" (2-3 bytes), each counted with its error and 64 bytes of overhead
        var store = new DeadLetterStore();
        store.Add(new DeadLettersAdded(A, Letters(1, 5, 10, 15)));

        // act
        var byLimit = store.Page(0, 2, long.MaxValue);
        var byBytes = store.Page(0, 10, 1);
        var rest = store.Page(10, 10, long.MaxValue);

        // assert
        Assert.Equal(new long[] { 5, 10 }, byLimit.Letters.Select(l => l.Sequence));
        Assert.Equal(10, byLimit.NextAfter);
        Assert.Equal(new long[] { 5 }, byBytes.Letters.Select(l => l.Sequence));
        Assert.Equal(5, byBytes.NextAfter);
        Assert.Equal(new long[] { 15 }, rest.Letters.Select(l => l.Sequence));
        Assert.Null(rest.NextAfter);
        Assert.Empty(new DeadLetterStore().Page(0, 10, 100).Letters);
    }

    [Fact]
    public void Resolve_should_split_found_ascending_from_not_found_in_request_order()
    {
        var store = new DeadLetterStore();
        store.Add(new DeadLettersAdded(A, Letters(1, 5, 10, 15)));

        var (found, notFound) = store.Resolve([15, 7, 5, 15, 3]);

        Assert.Equal(new long[] { 5, 15 }, found);
        Assert.Equal(new long[] { 7, 3 }, notFound.ToArray());
        Assert.Equal(new long[] { 5, 10, 15 }, store.Resolve([]).Found);
    }
}
