using ActorPubSub.Topics;

namespace ActorPubSub.Tests.Topics;

/// <summary>The topic's transient credit pool, shared per publisher, without an ActorSystem.</summary>
[Trait("Category", "Unit")]
public sealed class TransientCreditSpec
{
    [Fact]
    public void Grants_should_never_exceed_the_pool_and_be_shared_between_the_publishers_that_want_credit()
    {
        // arrange: a pool of 100, three publishers each wanting far more
        var credit = new TransientCredit(100);
        var (a, b, c) = (new StandInRef("a"), new StandInRef("b"), new StandInRef("c"));
        Assert.True(credit.Demand(a, 1_000));
        Assert.True(credit.Demand(b, 1_000));
        Assert.True(credit.Demand(c, 1_000));

        // act
        var grants = credit.Grant();

        // assert: all of the pool, about a third each; nothing more until messages go through
        Assert.Equal(100, grants.Sum(g => g.Count));
        Assert.All(grants, g => Assert.InRange(g.Count, 33, 34));
        Assert.Equal(100, credit.Outstanding);
        Assert.Empty(credit.Grant());
        Assert.True(credit.Through(a, 10));
        Assert.Equal(10, credit.Grant().Sum(g => g.Count));
        Assert.False(credit.Through(new StandInRef("older-client"), 5));   // a sender that never asked gets its count back
    }

    [Fact]
    public void A_publisher_that_stops_should_give_back_its_unused_credit_at_once_and_the_rest_as_its_messages_leave()
    {
        // arrange: a holds all 100, 30 of them parked at the topic; b wants credit too
        var credit = new TransientCredit(100);
        var (a, b) = (new StandInRef("a"), new StandInRef("b"));
        credit.Demand(a, 100);
        credit.Grant();
        credit.Demand(b, 500);
        Assert.Empty(credit.Grant());

        // act: a stops
        credit.Gone(a, parked: 30);

        // assert: its 70 unused go to b now, its 30 parked when they leave; then a is forgotten
        Assert.Equal([(b, 70)], credit.Grant().Select(g => (g.Publisher as StandInRef, g.Count)).ToList()!);
        Assert.False(credit.IsPublisher(a));
        credit.Through(a, 30);
        Assert.Equal([(b, 30)], credit.Grant().Select(g => (g.Publisher as StandInRef, g.Count)).ToList()!);
        Assert.Equal(1, credit.Publishers);
    }
}
