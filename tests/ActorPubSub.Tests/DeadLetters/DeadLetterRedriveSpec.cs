using Akka.Actor;
using ActorPubSub.DeadLetters;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using static ActorPubSub.Tests.DeadLetters.DeadLetterSamples;

namespace ActorPubSub.Tests.DeadLetters;

/// <summary>
/// The redrive's decisions without an actor: chunks by count and bytes, which answers count, which letters leave,
/// and the replies when it ends.
/// </summary>
[Trait("Category", "Unit")]
public sealed class DeadLetterRedriveSpec
{
    private static readonly Guid A = Guid.Parse("11111111-1111-1111-1111-111111111111");

    private static DeadLetterStore StoreWith(params long[] sequences)
    {
        var store = new DeadLetterStore();
        store.Add(new DeadLettersAdded(A, Letters(1, sequences)));
        return store;
    }

    private static DeadLetterRedrive Redrive(DeadLetterStore store, int batch = 2, int batchBytes = 1_000_000) =>
        new("orders", "billing", ActorRefs.Nobody, store.Resolve([]).Found, [99], batch, batchBytes);

    [Fact]
    public void NextChunk_should_send_at_most_the_batch_in_order_then_nothing()
    {
        // arrange
        var store = StoreWith(1, 2, 3);
        var redrive = Redrive(store);

        // act
        var first = redrive.NextChunk(store);
        redrive.Confirm(store);
        var second = redrive.NextChunk(store);
        redrive.Confirm(store);
        var third = redrive.NextChunk(store);

        // assert
        Assert.Equal(new long[] { 1, 2 }, first.Select(m => m.Sequence).ToArray());
        Assert.Equal(new long[] { 3 }, second.Select(m => m.Sequence).ToArray());
        Assert.Empty(third);
        Assert.Equal(2, redrive.Chunk);
        Assert.Equal(3, redrive.Done().Redriven);
        Assert.Equal(new long[] { 99 }, redrive.Done().NotFound);
    }

    [Fact]
    public void NextChunk_should_stop_at_the_byte_budget_but_always_send_one()
    {
        var store = StoreWith(1, 2);
        var redrive = Redrive(store, batch: 10, batchBytes: 1);

        Assert.Single(redrive.NextChunk(store));
        Assert.Equal(1, redrive.InFlight);
    }

    [Fact]
    public void NextChunk_should_skip_a_target_whose_letter_is_gone()
    {
        var store = StoreWith(1, 2, 3);
        var redrive = Redrive(store, batch: 10);
        store.Remove(new DeadLettersRemoved([2], DeadLetterRemoval.Purged));

        Assert.Equal(new long[] { 1, 3 }, redrive.NextChunk(store).Select(m => m.Sequence).ToArray());
    }

    [Fact]
    public void Answers_should_accept_only_the_sequences_of_the_chunk_in_flight()
    {
        var store = StoreWith(1, 2, 3);
        var redrive = Redrive(store);
        Assert.False(redrive.Answers([1, 2]));              // nothing in flight yet

        redrive.NextChunk(store);

        Assert.True(redrive.Answers([2, 1]));
        Assert.False(redrive.Answers([1]));
        Assert.False(redrive.Answers([1, 2, 3]));
        Assert.False(redrive.Answers(default));
        Assert.True(redrive.IsInFlight(1));
        Assert.False(redrive.IsInFlight(0));
    }

    [Fact]
    public void Confirm_should_let_only_the_letters_sent_leave()
    {
        // arrange
        var store = StoreWith(1, 2);
        var redrive = Redrive(store);
        redrive.NextChunk(store);
        // message 2 was redriven meanwhile, failed again and came back as a new letter: a new dead-lettering
        store.Add(new DeadLettersAdded(A, [Letter(3, 2, "again")]));

        // act
        var leave = redrive.Confirm(store);

        // assert
        Assert.Equal(new long[] { 1 }, leave.ToArray());
        Assert.Equal((2, 0), (redrive.Redriven, redrive.InFlight));
        Assert.False(redrive.IsInFlight(1));
    }

    [Fact]
    public void Replies_should_say_how_far_the_redrive_got()
    {
        // arrange
        var store = StoreWith(1, 2, 3);
        var redrive = Redrive(store);
        redrive.NextChunk(store);
        redrive.Confirm(store);
        redrive.NextChunk(store);

        // act
        var timedOut = redrive.TimedOut(TimeSpan.FromSeconds(1.5));
        var refused = redrive.Refused(new CommandRejected("orders", "billing", nameof(RedriveMessages), RejectionCode.UnknownSubscription, "no such subscription."));

        // assert
        Assert.Equal((nameof(RedriveDeadLetters), RejectionCode.StorageFailure), (timedOut.Command, timedOut.Code));
        Assert.StartsWith("The topic did not confirm the redrive of 1 letters within 1.5 s", timedOut.Reason);
        Assert.Contains("2 of 3 letters were redriven; the other 1 are kept in the dead-letter store.", timedOut.Reason);
        Assert.Equal(RejectionCode.UnknownSubscription, refused.Code);
        Assert.Equal("The topic refused the redrive: no such subscription. 2 of 3 letters were redriven; the other 1 are kept in the dead-letter store.", refused.Reason);
    }

    [Fact]
    public void StoppedEarly_should_hold_only_while_letters_remain_unsent()
    {
        var store = StoreWith(1, 2, 3);
        var redrive = Redrive(store);
        redrive.NextChunk(store);
        redrive.RequestStop();
        Assert.True(redrive.StoppedEarly);
        Assert.Contains("was stopped during the redrive", redrive.Stopped().Reason);

        redrive.Confirm(store);
        redrive.NextChunk(store);

        Assert.False(redrive.StoppedEarly);
    }
}
