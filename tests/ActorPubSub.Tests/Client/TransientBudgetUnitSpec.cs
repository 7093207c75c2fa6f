using ActorPubSub.Client;
using ActorPubSub.Messages;

namespace ActorPubSub.Tests.Client;

/// <summary>The client-wide transient budget over the per-topic queues, without an ActorSystem.</summary>
[Trait("Category", "Unit")]
public sealed class TransientBudgetUnitSpec
{
    private static readonly TopicMessage Message = new(0, DateTime.UtcNow, new Payload(0, "", [1]), null, null, null);

    [Fact]
    public void Queues_together_should_take_no_more_than_the_total_and_give_it_back_with_their_credit()
    {
        // arrange: 3 over all topics, 10 per topic
        var flushed = new List<string>();
        var budget = new TransientBudget(3, q => flushed.Add(q.Topic));
        var a = new TransientQueue("a", 10, budget);
        var b = new TransientQueue("b", 10, budget);
        for (var i = 0; i < 3; i++) Assert.Equal(TransientQueue.Outcome.Queued, a.Offer(Message, TransientOverflow.Wait, out _));
        Assert.Equal(3, a.Take(10, int.MaxValue).Count);

        // act: topic b has room of its own, but the client has none
        var failed = b.Offer(Message, TransientOverflow.Fail, out _);
        var dropped = b.Offer(Message, TransientOverflow.DropNewest, out _);
        var waiting = b.Offer(Message, TransientOverflow.Wait, out var admitted);

        // assert
        Assert.Equal(TransientQueue.Outcome.Full, failed);
        Assert.True(b.HasOwnRoom);
        Assert.Equal(TransientQueue.Outcome.Dropped, dropped);
        Assert.Equal(TransientQueue.Outcome.Waiting, waiting);
        Assert.False(admitted!.IsCompleted);
        a.Credit(1);                       // topic a's credit frees a unit: b's waiting publish gets it, and a flush
        Assert.True(admitted.IsCompletedSuccessfully);
        Assert.Equal(["b"], flushed);
        Assert.Equal(3, budget.Held);
        Assert.Equal(TransientQueue.Outcome.Full, a.Offer(Message, TransientOverflow.Fail, out _));
        a.Credit(5);                       // more credit than in flight gives back only what was held
        Assert.Equal(1, budget.Held);
    }
}
