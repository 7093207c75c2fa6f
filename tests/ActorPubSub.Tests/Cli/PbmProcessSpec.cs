using System.Reflection;
using ActorPubSub.Cli;
using ActorPubSub.Tests.Deployment;
using ActorPubSub.Tests.Support;

namespace ActorPubSub.Tests.Cli;

/// <summary>
/// pbm, the node and the lighthouse as real processes: the built <c>pbm.dll</c> talks to a node process (token required,
/// one-line error without it), a tail process ends on SIGTERM with exit code 0 and its temporary subscription deleted,
/// a lighthouse serves only the cluster and actor palettes, and <c>pbm cluster leave</c> stops a node with exit code 0.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PbmProcessSpec : IDisposable
{
    private const string Token = "process-spec-token-0123";
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(60);

    private static readonly string PbmPath = typeof(PbmProcessSpec).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "PbmAssembly").Value!;

    private readonly TempDatabase _db = new();
    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("actorpubsub-pbm-").FullName;

    [Fact]
    public async Task Pbm_process_should_operate_a_node_process_that_requires_a_token()
    {
        // arrange
        await using var node = ServiceProcess.StartNode(new Dictionary<string, string>
        {
            ["ACTORPUBSUB_Node__HttpAddress"] = "127.0.0.1:0",
            ["ACTORPUBSUB_Node__SqliteFile"] = _db.File,
            ["ACTORPUBSUB_Node__RequireAdminToken"] = "true",
            ["ACTORPUBSUB_Node__AdminToken"] = Token,
        }, _workingDirectory);
        var target = (await node.HttpUrlAsync(StartDeadline)).Authority;
        var adminLine = await node.WaitForOutputAsync("Admin endpoint on", StartDeadline);
        await node.WaitForOutputAsync("ActorPubSub node is Up", StartDeadline);
        var withToken = new Dictionary<string, string> { ["PBM_TOKEN"] = Token };

        // act
        var (refused, _, refusedError) = await RunPbmAsync(new Dictionary<string, string>(), target, "cluster", "show");
        var (shown, show, _) = await RunPbmAsync(withToken, target, "cluster", "show");
        var (notFound, _, notFoundError) = await RunPbmAsync(withToken, target, "pubsub", "tail", "orders");
        var (published, _, _) = await RunPbmAsync(withToken, target, "pubsub", "publish", "orders", "before");
        await using var tail = StartPbm(withToken, target, "pubsub", "tail", "orders");
        await WaitForErrorAsync(tail, "Tailing new messages of orders");
        await RunPbmAsync(withToken, target, "pubsub", "publish", "orders", "from a process");
        await tail.WaitForOutputAsync("from a process", ExitDeadline);
        tail.Signal(ServiceProcess.SigTerm);
        var tailExit = await tail.WaitForExitAsync(ExitDeadline);
        var subscriptions = await Eventually.HoldsAsync(() => RunPbmAsync(withToken, target, "pubsub", "subscriptions", "orders"),
            r => r.Out.Contains("Count: 0 subscriptions", StringComparison.Ordinal), "the tail's subscription is deleted");
        var (left, leave, _) = await RunPbmAsync(withToken, target, "cluster", "leave");
        var nodeExit = await node.WaitForExitAsync(ExitDeadline);

        // assert
        Assert.Contains("every request needs Authorization: Bearer <token>", adminLine, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Unreachable, refused);
        Assert.Single(refusedError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("refused the admin token", refusedError, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, shown);
        Assert.EndsWith("Count: 1 node", show.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, notFound);
        Assert.Equal("pbm: topic 'orders' not found (it has never had a message or a subscription)", notFoundError.Trim());
        Assert.Equal(ExitCodes.Ok, published);
        Assert.Equal(ExitCodes.Ok, tailExit);
        Assert.Single(tail.StandardOutput, l => l.Contains("#2 ", StringComparison.Ordinal) && l.EndsWith(" from a process", StringComparison.Ordinal));
        Assert.Equal(ExitCodes.Ok, subscriptions.ExitCode);
        Assert.Equal(ExitCodes.Ok, left);
        Assert.StartsWith("Leaving: akka.tcp://actorpubsub@127.0.0.1:", leave, StringComparison.Ordinal);
        Assert.True(nodeExit == 0, $"node exit code {nodeExit}:\n{node.Transcript}");
    }

    [Fact]
    public async Task Lighthouse_should_serve_only_the_cluster_and_actor_palettes()
    {
        // arrange
        await using var lighthouse = ServiceProcess.StartLighthouse(new Dictionary<string, string>
        {
            ["CLUSTER_IP"] = "127.0.0.1",
            ["CLUSTER_PORT"] = "0",
            ["ACTORPUBSUB_Lighthouse__HttpAddress"] = "127.0.0.1:0",
        }, _workingDirectory);
        var target = (await lighthouse.HttpUrlAsync(StartDeadline)).Authority;
        await lighthouse.WaitForOutputAsync("Lighthouse is Up", StartDeadline);

        // act (pbm in-process against the lighthouse process)
        var help = await PbmRun.RunAsync(target, "help");
        var topics = await PbmRun.RunAsync(target, "pubsub", "topics");
        var show = await PbmRun.RunAsync(target, "cluster", "show");
        var hierarchy = await PbmRun.RunAsync(target, "actor", "hierarchy", "-d", "1");

        // assert
        Assert.StartsWith($"{target} is a lighthouse (akka.tcp://actorpubsub@127.0.0.1:", help.Lines[0], StringComparison.Ordinal);
        Assert.Equal(["cluster", "actor"], help.Lines.Where(l => !l.StartsWith("pbm ", StringComparison.Ordinal) && l != help.Lines[0]).Select(l => l.Split(' ')[0]));
        Assert.Equal(ExitCodes.Failed, topics.ExitCode);
        Assert.Equal([$"pbm: unknown palette 'pubsub'; {target} (lighthouse) has cluster, actor"], topics.ErrorLines);
        Assert.Matches(@"^akka\.tcp://actorpubsub@127\.0\.0\.1:\d+ \| \[lighthouse\] \| up \| reachable \| ", show.Lines[0]);
        Assert.Equal("Count: 1 node", show.Lines[^1]);
        Assert.Contains("/system/cluster", hierarchy.Lines);
    }

    public void Dispose()
    {
        _db.Dispose();
        Directory.Delete(_workingDirectory, recursive: true);
    }

    private ServiceProcess StartPbm(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        ServiceProcess.Start(PbmPath, environment, _workingDirectory, args);

    private async Task<(int ExitCode, string Out, string Error)> RunPbmAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        await using var pbm = StartPbm(environment, args);
        var code = await pbm.WaitForExitAsync(ExitDeadline);
        return (code, string.Join('\n', pbm.StandardOutput), string.Join('\n', pbm.StandardError));
    }

    private static async Task WaitForErrorAsync(ServiceProcess process, string text)
    {
        await Eventually.HoldsAsync(() => process.StandardError.Any(l => l.Contains(text, StringComparison.Ordinal)), $"pbm wrote \"{text}\" on stderr",
            StartDeadline);
    }
}
