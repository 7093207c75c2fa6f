using ActorPubSub.Tests.Support;
using ActorPubSub.Tests.Support.Processes;

namespace ActorPubSub.Tests.Node;

/// <summary>
/// A standalone node on SQLite takes no other broker: a broker that joins it is downed with a logged reason and stops with
/// one line and exit code 2; the standalone node stays Up and serving.
/// </summary>
[Trait("Category", "Integration")]
public sealed class StandaloneJoinSpec : IDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(60);
    private readonly List<TempDatabase> _databases = [];

    [Fact]
    public async Task A_broker_joining_a_standalone_SQLite_node_should_be_refused_and_stop_with_exit_code_2()
    {
        // arrange: a standalone node on SQLite, on a known loopback port
        await using var standalone = StartNode(new Dictionary<string, string>
        {
            ["Port"] = ServiceProcess.FreeLoopbackPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var address = await standalone.AddressAsync("ActorPubSub node listening on", StartDeadline);
        await standalone.WaitForOutputAsync("ActorPubSub node is Up", StartDeadline);

        // act: a broker (itself allowed SQLite in a cluster) lists it as its seed
        await using var joiner = StartNode(new Dictionary<string, string>
        {
            ["SeedNodes__0"] = address,
            ["Hostname"] = "127.0.0.1",
            ["AllowSqliteInCluster"] = "true",
        });
        var exitCode = await joiner.WaitForExitAsync(ExitDeadline);

        // assert: the joiner stopped with one line naming the reason and the fix, exit code 2
        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{joiner.Transcript}");
        var error = Assert.Single(joiner.StandardError);
        Assert.Contains($"refused by the cluster it joined: {address} is a standalone node on SQLite", error, StringComparison.Ordinal);
        Assert.Contains("Join a cluster of brokers on PostgreSQL", error, StringComparison.Ordinal);
        // assert: the standalone node logged why, and is still running on its own
        await standalone.WaitForOutputAsync("a broker that joined this standalone node", ExitDeadline);
        Assert.False(standalone.HasExited, standalone.Transcript);
        standalone.Signal(ServiceProcess.SigInt);
        var standaloneExit = await standalone.WaitForExitAsync(ExitDeadline);
        Assert.True(standaloneExit == 0, $"standalone exit code {standaloneExit}:\n{standalone.Transcript}");
    }

    public void Dispose()
    {
        foreach (var db in _databases) db.Dispose();
    }

    private NodeProcess StartNode(IReadOnlyDictionary<string, string> settings)
    {
        var db = new TempDatabase();
        _databases.Add(db);
        var all = new Dictionary<string, string> { ["HttpAddress"] = "127.0.0.1:0" };
        foreach (var (key, value) in settings) all[key] = value;
        all["SqliteFile"] = db.File;
        return NodeProcess.Start(all, Path.GetDirectoryName(db.File)!);
    }
}
