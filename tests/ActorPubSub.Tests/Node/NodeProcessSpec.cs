using System.Text.RegularExpressions;
using Akka.Cluster.Hosting;
using Akka.Remote.Hosting;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Node;

/// <summary>
/// The broker node as a real process: starts on the embedded default (SQLite, one-node cluster on a free
/// port), stops cleanly with exit code 0 on SIGINT and SIGTERM, restarts on its own data, serves a client that
/// joins its cluster, joins a seed node, and refuses a bad setting with one line naming it.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class NodeProcessSpec : IDisposable
{
    // Generous: a cold `dotnet` start under a parallel test run on a small CI machine. They bound waits for an outcome.
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(60);

    private static readonly Dictionary<string, string> NoSettings = [];
    private readonly List<TempDatabase> _databases = [];

    [Theory]
    [InlineData(NodeProcess.SigInt)]
    [InlineData(NodeProcess.SigTerm)]
    public async Task Node_should_start_on_the_embedded_default_stop_with_exit_code_0_on_a_signal_and_restart(int signal)
    {
        // arrange
        var db = NewDatabase();
        for (var run = 1; run <= 2; run++)   // the second run restarts on the first run's database
        {
            await using var node = StartNode(db, NoSettings);

            // act
            var listening = await node.WaitForOutputAsync("ActorPubSub node listening on", StartDeadline);
            await node.WaitForOutputAsync("ActorPubSub node is Up", StartDeadline);
            node.Signal(signal);
            var exitCode = await node.WaitForExitAsync(ExitDeadline);

            // assert
            var address = ListeningAddress().Match(listening);
            Assert.True(address.Success, $"run {run}: no akka.tcp address on loopback in: {listening}");
            Assert.NotEqual(0, int.Parse(address.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Contains($"SQLite {db.File} (synchronous full, delivery before the fsync)", listening, StringComparison.Ordinal);
            Assert.True(exitCode == 0, $"run {run}: exit code {exitCode}:\n{node.Transcript}");
            Assert.Empty(node.StandardError);
            Assert.DoesNotContain("Exception", node.Transcript, StringComparison.Ordinal);
            Assert.Contains(node.StandardOutput, l => l.Contains("ActorPubSub node stopped", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Node_should_commit_to_SQLite_as_its_SqliteSynchronous_setting_says()
    {
        // arrange
        var db = NewDatabase();
        await using var node = StartNode(db, new Dictionary<string, string> { ["SqliteSynchronous"] = "Normal" });

        // act
        var listening = await node.WaitForOutputAsync("ActorPubSub node listening on", StartDeadline);

        // assert: the setting reaches the topics' storage options, which the node reports (case does not matter)
        Assert.Contains($"SQLite {db.File} (synchronous normal)", listening, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_should_run_with_tiered_compilation_promoting_hot_methods_without_the_runtimes_startup_delay()
    {
        // arrange: the node as built, with nothing in its environment about tiering or the thread pool
        var db = NewDatabase();
        await using var node = StartNode(db, NoSettings);

        // act
        var runtime = await node.WaitForOutputAsync("ActorPubSub node runtime:", StartDeadline);

        // assert: the runtimeconfig the project writes carries the setting, and the node reports what the runtime got
        Assert.Contains("tiered compilation on, call-counting delay 0 ms (runtimeconfig)", runtime, StringComparison.Ordinal);
        // the thread pool's spin is the runtime's (a documented knob, not a default: docs/deployment.md)
        Assert.Contains("thread-pool spin limit as the runtime defaults", runtime, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_should_serve_a_client_of_its_cluster_and_keep_the_published_messages_across_a_restart()
    {
        var db = NewDatabase();

        // arrange: a client ActorSystem in this process joins the node and publishes
        await using (var node = StartNode(db, NoSettings))
        {
            var seed = await UpAddressAsync(node);
            await using (var client = await StartClientAsync(seed))
            {
                await client.Client.CreateSubscriptionAsync("orders", "billing");
                for (var i = 1; i <= 3; i++) await client.Client.PublishAsync("orders", $"order {i}");
            }
            node.Signal(NodeProcess.SigInt);
            var exitCode = await node.WaitForExitAsync(ExitDeadline);
            Assert.True(exitCode == 0, $"first run: exit code {exitCode}:\n{node.Transcript}");
        }

        // act: the node restarts on the same database and a new client consumes
        await using var restarted = StartNode(db, NoSettings);
        var restartedSeed = await UpAddressAsync(restarted);
        await using var consumer = await StartClientAsync(restartedSeed);
        var info = await consumer.Client.GetTopicInfoAsync("orders");
        var log = new DeliveryLog<string>();
        await using var subscription = await consumer.Client.SubscribeAsync<string>("orders", "billing", log.Recording);
        await log.ReceivedAsync(3);

        // assert
        Assert.Equal(3, info.LastSequence);
        Assert.Equal(3, Assert.Single(info.Subscriptions).Pending);
        Assert.Equal(["order 1", "order 2", "order 3"], log.All.OrderBy(d => d.Sequence).Select(d => d.Message).Distinct());
    }

    [Fact]
    public async Task Node_with_seed_nodes_should_join_their_cluster_and_leave_it_on_SIGINT()
    {
        // arrange: a lighthouse is the seed, so the node is the cluster's only broker node and may keep SQLite (a standalone
        // node as the seed would be a second broker node with a file of its own: a topic moving between them would lose
        // its journal)
        var lighthousePort = ServiceProcess.FreeLoopbackPort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var seed = ServiceProcess.StartLighthouse(new Dictionary<string, string>
        {
            ["CLUSTER_IP"] = "127.0.0.1",
            ["CLUSTER_PORT"] = lighthousePort,
            ["ACTORPUBSUB_Lighthouse__HttpAddress"] = "127.0.0.1:0",
        }, Path.GetDirectoryName(NewDatabase().File)!);
        var seedAddress = await seed.AddressAsync("Lighthouse is Up in the cluster as", StartDeadline);

        // act
        await using var member = StartNode(NewDatabase(), new Dictionary<string, string>
        {
            ["SeedNodes__0"] = seedAddress,
            ["Hostname"] = "127.0.0.1",
            ["AllowSqliteInCluster"] = "true",
        });
        var listening = await member.WaitForOutputAsync("ActorPubSub node listening on", StartDeadline);
        await member.WaitForOutputAsync("ActorPubSub node is Up", StartDeadline);
        member.Signal(NodeProcess.SigInt);
        var memberExit = await member.WaitForExitAsync(ExitDeadline);
        seed.Signal(NodeProcess.SigInt);
        var seedExit = await seed.WaitForExitAsync(ExitDeadline);

        // assert
        Assert.Contains($"mode: cluster (seed nodes {seedAddress})", listening, StringComparison.Ordinal);
        Assert.True(memberExit == 0, $"member exit code {memberExit}:\n{member.Transcript}");
        Assert.True(seedExit == 0, $"seed exit code {seedExit}:\n{seed.Transcript}");
    }

    [Theory]
    [InlineData("Port", "70000", "Node:Port (ACTORPUBSUB_Node__Port or CLUSTER_PORT) = '70000'")]
    [InlineData("Port", "many", "'Node:Port'")]
    [InlineData("SeedNodes__0", "http://lighthouse:4053", "Node:SeedNodes:0 (ACTORPUBSUB_Node__SeedNodes__0 or CLUSTER_SEEDS)")]
    [InlineData("StandaloneCluster", "false", "Node:StandaloneCluster")]
    // Reproduction for issue 13 item 7: cluster mode on SQLite only logged a warning.
    [InlineData("SeedNodes__0", "akka.tcp://actorpubsub@127.0.0.1:1", "in cluster mode (Node:SeedNodes) is refused: every broker node would write a file of its own")]
    // Reproduction for issue 13 item 3: the Kubernetes base's example token worked.
    [InlineData("AdminToken", "change-me-admin-token-0123456789", "Node:AdminToken (ACTORPUBSUB_Node__AdminToken) = '(not shown)': is the published example token")]
    [InlineData("AdminToken", "ChangeMe_ChangeMe_2026", "looks like a placeholder (it contains 'changeme')")]
    [InlineData("AdminToken", "short-token", "must be at least 16 characters")]
    [InlineData("AdminHostNames__0", "evil.example:9110", "Node:AdminHostNames:0")]
    [InlineData("Prot", "4053", "Unknown setting Node:Prot")]
    [InlineData("StorageProvider", "postgresql", "Node:StorageProvider (ACTORPUBSUB_Node__StorageProvider) = 'postgresql': needs Node:PostgreSqlConnectionString")]
    [InlineData("StorageProvider", "mysql", "must be sqlite (one node) or postgresql (a cluster)")]
    [InlineData("SqliteSynchronous", "off", "Node:SqliteSynchronous (ACTORPUBSUB_Node__SqliteSynchronous) = 'off': must be full (fsync per commit, the default) or normal")]
    [InlineData("HttpAddress", "9110", "Node:HttpAddress (ACTORPUBSUB_Node__HttpAddress) = '9110': must be host:port")]
    [InlineData("SplitBrainResolver", "keep-referee", "Node:SplitBrainResolver (ACTORPUBSUB_Node__SplitBrainResolver) = 'keep-referee': must be one of keep-majority")]
    [InlineData("SplitBrainQuorumSize", "2", "is used by static-quorum only, but the strategy is keep-majority")]
    [InlineData("SplitBrainStableAfter", "20s", "'Node:SplitBrainStableAfter'")]
    [InlineData("TlsCertificatePath", "/nonexistent/node.pfx", "Node:TlsCertificatePath (ACTORPUBSUB_Node__TlsCertificatePath) = '/nonexistent/node.pfx': names no file")]
    [InlineData("TlsCaCertificatePath", "/nonexistent/ca.crt", "Node:TlsCaCertificatePath (ACTORPUBSUB_Node__TlsCaCertificatePath) = '/nonexistent/ca.crt': is set, but TlsCertificatePath is not")]
    [InlineData("Hostname", "0.0.0.0", "Node:TlsCertificatePath (ACTORPUBSUB_Node__TlsCertificatePath) = '': is required: Akka.Remote binds 0.0.0.0, off loopback")]
    [InlineData("SplitBrainRole", "two words", "Node:SplitBrainRole (ACTORPUBSUB_Node__SplitBrainRole) = 'two words'")]
    public async Task Node_should_refuse_a_bad_setting_with_one_line_naming_it(string key, string value, string expected)
    {
        // arrange
        await using var node = StartNode(NewDatabase(), new Dictionary<string, string> { [key] = value });

        // act
        var exitCode = await node.WaitForExitAsync(ExitDeadline);

        // assert
        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{node.Transcript}");
        var error = Assert.Single(node.StandardError);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", node.Transcript, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var db in _databases) db.Dispose();
    }

    private TempDatabase NewDatabase()
    {
        var db = new TempDatabase();
        _databases.Add(db);
        return db;
    }

    private static async Task<string> UpAddressAsync(NodeProcess node)
    {
        var line = await node.WaitForOutputAsync("ActorPubSub node is Up", StartDeadline);
        return line[line.IndexOf("akka.tcp://", StringComparison.Ordinal)..].Trim();
    }

    /// <summary>An ActorSystem of the node's cluster that hosts no topics: it reaches them on the node's role.</summary>
    private Task<PubSubNode> StartClientAsync(string seed) =>
        PubSubNode.StartAsync(
            new PubSubOptions { StandaloneCluster = false, HostTopics = false, Role = "actorpubsub", SqliteFile = NewDatabase().File },
            akka => akka.WithRemoting("127.0.0.1", 0).WithClustering(new ClusterOptions { SeedNodes = [seed] }),
            systemName: "actorpubsub");

    private static NodeProcess StartNode(TempDatabase db, IReadOnlyDictionary<string, string> settings)
    {
        // A free port for the web server: nodes of parallel tests would otherwise all take 127.0.0.1:9110.
        var all = new Dictionary<string, string> { ["HttpAddress"] = "127.0.0.1:0" };
        foreach (var (key, value) in settings) all[key] = value;
        all["SqliteFile"] = db.File;
        return NodeProcess.Start(all, Path.GetDirectoryName(db.File)!);
    }

    [GeneratedRegex(@"listening on akka\.tcp://actorpubsub@127\.0\.0\.1:(?<port>\d+) ")]
    private static partial Regex ListeningAddress();
}
