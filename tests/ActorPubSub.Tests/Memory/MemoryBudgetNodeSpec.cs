using ActorPubSub.Tests.Support;
using ActorPubSub.Tests.Support.Processes;

namespace ActorPubSub.Tests.Memory;

/// <summary>
/// The broker node as a real process with a memory budget: it logs the budget and where it came from at start, and
/// refuses a budget below the minimal window with exit code 2 and one line naming it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MemoryBudgetNodeSpec : IDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(60);

    private readonly TempDatabase _db = new();

    [Theory]
    [InlineData("MemoryBudget", "1 MiB",
        "Invalid setting Node:MemoryBudget (ACTORPUBSUB_Node__MemoryBudget) = '1 MiB': actorpubsub.memory-budget: the memory budget 1 MiB " +
        "(1048576 bytes; actorpubsub.memory-budget = 1 MiB) is below the minimal window 5.5 MiB (5767168 bytes = " +
        "topic.max-write-batch-bytes 4 MiB + topic.max-message-size 1 MiB + 2 x topic.log.page-bytes 256 KiB): raise actorpubsub.memory-budget, or lower those settings.")]
    [InlineData("MemoryBudget", "plenty", "Invalid setting Node:MemoryBudget (ACTORPUBSUB_Node__MemoryBudget) = 'plenty': actorpubsub.memory-budget = 'plenty': must be auto or a positive size such as 512 MiB.")]
    [InlineData("MemoryBudgetFraction", "1.5", "Invalid setting Node:MemoryBudgetFraction (ACTORPUBSUB_Node__MemoryBudgetFraction) = '1.5': actorpubsub.memory-budget-fraction = 1.5: must be above 0 and at most 1 (e.g. 0.25).")]
    public async Task Node_should_refuse_a_bad_memory_budget_with_exit_code_2_and_one_line(string key, string value, string expected)
    {
        // arrange
        await using var node = StartNode(new Dictionary<string, string> { [key] = value });

        // act
        var exitCode = await node.WaitForExitAsync(ExitDeadline);

        // assert
        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{node.Transcript}");
        var error = Assert.Single(node.StandardError);
        Assert.Equal("ActorPubSub.Node: " + expected, error.Trim());
        Assert.DoesNotContain("Exception", node.Transcript, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_should_log_its_memory_budget_and_where_it_came_from_at_start()
    {
        // arrange
        await using var node = StartNode(new Dictionary<string, string> { ["MemoryBudget"] = "64 MiB" });

        // act
        var line = await node.WaitForOutputAsync("ActorPubSub memory budget:", StartDeadline);

        // assert
        Assert.Contains("ActorPubSub memory budget: 64 MiB (67108864 bytes; actorpubsub.memory-budget = 64 MiB)", line, StringComparison.Ordinal);
        await node.WaitForOutputAsync("ActorPubSub node is Up", StartDeadline);
        node.Signal(NodeProcess.SigTerm);
        Assert.Equal(0, await node.WaitForExitAsync(ExitDeadline));
    }

    public void Dispose() => _db.Dispose();

    private NodeProcess StartNode(IReadOnlyDictionary<string, string> settings)
    {
        // a free port for the web server, as NodeProcessSpec does
        var all = new Dictionary<string, string> { ["HttpAddress"] = "127.0.0.1:0", ["SqliteFile"] = _db.File };
        foreach (var (key, value) in settings) all[key] = value;
        return NodeProcess.Start(all, Path.GetDirectoryName(_db.File)!);
    }
}
