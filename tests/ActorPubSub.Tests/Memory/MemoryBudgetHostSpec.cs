using Akka.Configuration;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;

namespace ActorPubSub.Tests.Memory;

/// <summary>The embedded host (<c>WithActorPubSub</c>) refuses a memory budget below the minimal window before it starts.</summary>
[Trait("Category", "Integration")]
public sealed class MemoryBudgetHostSpec : IDisposable
{
    private readonly TempDatabase _db = new();

    [Fact]
    public async Task WithActorPubSub_should_refuse_a_budget_below_the_minimal_window_with_one_line()
    {
        // act
        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var node = await PubSubNode.StartAsync(new PubSubOptions { SqliteFile = _db.File, MemoryBudget = "2 MiB" });
        });

        // assert
        var error = Assert.IsType<ConfigurationException>(e.GetBaseException());
        Assert.StartsWith("actorpubsub.memory-budget: the memory budget 2 MiB (2097152 bytes; actorpubsub.memory-budget = 2 MiB) is below " +
                          "the minimal window 5.5 MiB", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    public void Dispose() => _db.Dispose();
}
