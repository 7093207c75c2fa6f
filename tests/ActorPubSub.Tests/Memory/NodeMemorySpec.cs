using ActorPubSub.Memory;

namespace ActorPubSub.Tests.Memory;

/// <summary>The node's memory budget: what every topic holds, counted together, and each topic's equal share.</summary>
[Trait("Category", "Unit")]
public sealed class NodeMemorySpec
{
    [Fact]
    public void Add_should_count_what_every_holder_holds_together()
    {
        // arrange
        var memory = new NodeMemory(1000, "spec");

        // act
        memory.Add(700);
        memory.Add(400);
        memory.Add(-100);

        // assert
        Assert.Equal(1000, memory.Used);
    }

    [Fact]
    public void Share_should_divide_the_budget_among_the_holders()
    {
        // arrange
        var memory = new NodeMemory(1000, "spec");

        // act / assert: no holder yet counts as one
        Assert.Equal(1000, memory.Share);
        memory.Join();
        memory.Join();
        memory.Join();
        Assert.Equal((3, 333L), (memory.Holders, memory.Share));
        memory.Leave();
        Assert.Equal((2, 500L), (memory.Holders, memory.Share));
    }

    [Fact]
    public async Task Add_from_many_threads_should_lose_nothing()
    {
        // arrange
        var memory = new NodeMemory(1 << 20, "spec");

        // act: 8 holders, each adding and giving back 10,000 times, keeping 1 byte per round
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                memory.Add(100);
                memory.Add(-99);
            }
        })));

        // assert
        Assert.Equal(80_000, memory.Used);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    public void A_budget_should_be_positive(long budget)
    {
        // act
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new NodeMemory(budget, "spec"));

        // assert
        Assert.Contains("must be positive", error.Message);
    }
}
