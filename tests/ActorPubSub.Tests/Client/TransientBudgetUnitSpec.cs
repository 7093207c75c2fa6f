using ActorPubSub.Client;
using ActorPubSub.Messages;

namespace ActorPubSub.Tests.Client;

/// <summary>The client-wide transient budget over the per-topic queues, without an ActorSystem.</summary>
[Trait("Category", "Unit")]
public sealed class TransientBudgetUnitSpec
{
    private static readonly TopicMessage Message = new(0, DateTime.UtcNow, new Payload(0, "", [1]), null, null, null);

    [Fact]
    public void Queues_together_should_take_no_more_than_the_total_and_give_it_back_as_they_send()
    {
        // arrange: 3 over all topics, 10 per topic; topic a granted no credit yet
        var flushed = new List<string>();
        var budget = new TransientBudget(3, q => flushed.Add(q.Topic));
        var a = new TransientQueue("a", 10, budget);
        var b = new TransientQueue("b", 10, budget);
        for (var i = 0; i < 3; i++) Assert.Equal(TransientQueue.Outcome.Queued, a.Offer(Message, TransientOverflow.Wait, out _));
        Assert.Empty(a.Take(10, int.MaxValue));   // nothing goes without the topic's credit
        Assert.Equal(3, a.Demand());              // it is asked for

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
        a.Grant(1);                        // topic a grants one: it is sent, which frees a unit: b's waiting publish gets it
        Assert.Single(a.Take(10, int.MaxValue));
        Assert.True(admitted.IsCompletedSuccessfully);
        Assert.Equal(["b"], flushed);
        Assert.Equal(3, budget.Held);
        Assert.Equal(TransientQueue.Outcome.Full, a.Offer(Message, TransientOverflow.Fail, out _));
        a.Grant(5);                        // more credit than queued sends what is queued; the rest stays as credit
        Assert.Equal(2, a.Take(10, int.MaxValue).Count);
        Assert.Equal(1, budget.Held);
        Assert.Equal(3, a.Credit);
        Assert.Equal(0, a.Demand());       // nothing to ask for
    }
}
