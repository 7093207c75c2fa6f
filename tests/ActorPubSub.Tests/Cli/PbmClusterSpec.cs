using System.Text.RegularExpressions;
using Akka.Cluster;
using ActorPubSub.Cli;
using ActorPubSub.Tests.Support;

namespace ActorPubSub.Tests.Cli;

/// <summary>
/// The cluster palette through pbm against a 2-node cluster of in-process nodes (each with its own admin endpoint):
/// <c>cluster show</c> as Akka.NET operators know it, status and leader, and leave, down and join acting on the cluster.
/// </summary>
[Trait("Category", "MultiNode")]
public sealed partial class PbmClusterSpec : IAsyncLifetime
{
    private readonly TempDatabase _db = new();
    private readonly List<AdminNode> _nodes = [];

    public async Task InitializeAsync()
    {
        var first = await StartAsync(null);
        await StartAsync(first.Address.ToString());
        await Eventually.HoldsAsync(() => _nodes.All(n => Cluster.Get(n.System).State.Members.Count(m => m.Status == MemberStatus.Up) == 2),
            "both nodes see two members Up", TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
        _db.Dispose();
    }

    [Fact]
    public async Task Cluster_show_should_list_each_member_as_address_roles_status_reachability_version_then_the_count()
    {
        // act
        var show = await Pbm(_nodes[0], "cluster", "show");
        var json = await Pbm(_nodes[1], "cluster", "show", "--json");
        var status = await Pbm(_nodes[1], "cluster", "status");
        var leader = await Pbm(_nodes[1], "cluster", "leader", "--json");

        // assert
        Assert.True(show.ExitCode == ExitCodes.Ok, show.ToString());
        var addresses = _nodes.Select(n => n.Address.ToString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(3, show.Lines.Count);
        for (var i = 0; i < 2; i++)
        {
            var member = MemberLine().Match(show.Lines[i]);
            Assert.True(member.Success, show.Lines[i]);
            Assert.Equal(addresses[i], member.Groups["address"].Value);
            Assert.Equal("[actorpubsub]", member.Groups["roles"].Value);
            Assert.Equal("up", member.Groups["status"].Value);
            Assert.Equal("reachable", member.Groups["reachability"].Value);
        }
        Assert.Equal("Count: 2 nodes", show.Lines[2]);
        Assert.Equal(2, json.Json().GetProperty("count").GetInt32());
        Assert.Equal(addresses, json.Json().GetProperty("members").EnumerateArray().Select(m => m.GetProperty("address").GetString()));
        Assert.Contains($"Address: {_nodes[1].Address}", status.Lines);
        Assert.Contains("Status: up", status.Lines);
        Assert.Contains("Members: 2 (up 2, unreachable 0)", status.Lines);
        Assert.Equal(Cluster.Get(_nodes[0].System).State.Leader?.ToString(), leader.Json().GetProperty("leader").GetString());
    }

    [Fact]
    public async Task Cluster_leave_should_make_the_named_member_leave_and_the_others_see_it_removed()
    {
        // arrange
        var leaving = _nodes[1];

        // act: asked on the first node, about the second
        var result = await Pbm(_nodes[0], "cluster", "leave", leaving.Address.ToString());
        await leaving.System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(60));
        var show = await Eventually.HoldsAsync(() => Pbm(_nodes[0], "cluster", "show"), r => r.Lines[^1] == "Count: 1 node",
            "the first node lists one member");

        // assert
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.StartsWith($"Leaving: {leaving.Address} (was up)", result.Lines[0], StringComparison.Ordinal);
        Assert.StartsWith(_nodes[0].Address.ToString(), show.Lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cluster_leave_without_an_address_should_make_the_node_itself_leave()
    {
        // act
        var result = await Pbm(_nodes[1], "cluster", "leave");
        await _nodes[1].Stopped.WaitAsync(TimeSpan.FromSeconds(60));

        // assert
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains("this node hands off its shards, leaves and stops, as on SIGTERM", result.Out, StringComparison.Ordinal);
        await Eventually.HoldsAsync(() => Cluster.Get(_nodes[0].System).State.Members.Count == 1, "the first node sees the second removed");
    }

    [Fact]
    public async Task Cluster_down_should_remove_a_member_and_refuse_addresses_that_are_not_members()
    {
        // arrange
        var downed = _nodes[1];

        // act
        var notMember = await Pbm(_nodes[0], "cluster", "down", "akka.tcp://actorpubsub@127.0.0.1:1");
        var notAddress = await Pbm(_nodes[0], "cluster", "down", "127.0.0.1:1");
        var result = await Pbm(_nodes[0], "cluster", "down", downed.Address.ToString());
        await Eventually.HoldsAsync(() => Cluster.Get(_nodes[0].System).State.Members.All(m => m.Address != downed.Address),
            "the downed member is removed", TimeSpan.FromSeconds(60));
        var none = await Pbm(_nodes[0], "cluster", "down-unreachable");

        // assert
        Assert.Equal(ExitCodes.Failed, notMember.ExitCode);
        Assert.Contains("is not a member of the cluster; the members are", notMember.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, notAddress.ExitCode);
        Assert.Contains("must be a member address like akka.tcp://system@host:port", notAddress.Error, StringComparison.Ordinal);
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal([$"Downing: {downed.Address} (was up)"], result.Lines);
        Assert.Equal(["No unreachable members."], none.Lines);
    }

    [Fact]
    public async Task Cluster_join_should_join_a_node_that_waits_for_its_seeds_and_refuse_a_member()
    {
        // arrange: a node whose seed never answers
        var waiting = await StartAsync($"akka.tcp://actorpubsub@127.0.0.1:{AdminNode.DeadPort()}", waitForUp: false);

        // act
        var refused = await Pbm(_nodes[0], "cluster", "join", _nodes[1].Address.ToString());
        var joined = await Pbm(waiting, "cluster", "join", _nodes[0].Address.ToString());
        await waiting.WaitUntilUpAsync();
        // Node 0 learns the new member's Up by gossip, after the member itself is Up: wait for that view.
        var show = await Eventually.HoldsAsync(() => Pbm(_nodes[0], "cluster", "show"),
            r => r.Lines[^1] == "Count: 3 nodes" &&
                 r.Lines.Any(l => l.StartsWith($"{waiting.Address} | [actorpubsub] | up", StringComparison.Ordinal)),
            "the cluster lists three members, the joined one Up");

        // assert
        Assert.Equal(ExitCodes.Failed, refused.ExitCode);
        Assert.Contains("already a member of a cluster", refused.Error, StringComparison.Ordinal);
        Assert.True(joined.ExitCode == ExitCodes.Ok, joined.ToString());
        Assert.Contains(show.Lines, l => l.StartsWith($"{waiting.Address} | [actorpubsub] | up", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sharding_and_actor_commands_should_show_regions_stats_and_the_hierarchy()
    {
        // arrange: a topic on the cluster
        await _nodes[0].Client.PublishAsync("orders", "order");

        // act: both nodes' regions register with the coordinators shortly after they are Up (what readiness waits for)
        var regions = await Eventually.HoldsAsync(() => Pbm(_nodes[0], "sharding", "regions"), r => r.Rows().Count == 4,
            "the coordinators know both nodes' regions");
        var stats = await Pbm(_nodes[1], "sharding", "stats", "--json");
        var hierarchy = await Pbm(_nodes[0], "actor", "hierarchy", "-d", "2", "-s", "/system/sharding");
        var all = await Pbm(_nodes[0], "actor", "hierarchy", "--json");

        // assert
        Assert.Matches(@"^TYPE\s+NODE$", regions.Lines[0]);
        Assert.Equal(2, regions.Rows().Count(r => r[0] == "actorpubsub-topic"));
        Assert.Equal("Count: 4 regions of 2 entity types", regions.Lines[^1]);
        var topicStats = stats.Json().GetProperty("types").GetProperty("actorpubsub-topic");
        Assert.Equal(1, topicStats.EnumerateObject().Sum(n => n.Value.GetProperty("entities").GetInt32()));
        Assert.Equal("/system/sharding", hierarchy.Lines[0]);
        Assert.Contains("/system/sharding/actorpubsub-topic", hierarchy.Lines);
        Assert.All(hierarchy.Lines.SkipLast(1), l => Assert.True(l.Count(c => c == '/') <= 4, l));
        Assert.Matches(@"^Count: \d+ actors$", hierarchy.Lines[^1]);
        var paths = all.Json().GetProperty("actors").EnumerateArray().Select(a => a.GetProperty("path").GetString()).ToList();
        Assert.Contains("/user", paths);
        Assert.Contains("/system/cluster", paths);
    }

    private async Task<AdminNode> StartAsync(string? seed, bool waitForUp = true)
    {
        var settings = seed is null
            ? new Dictionary<string, string>()
            // Every node of the test uses the one SQLite file, so a moved topic finds its journal.
            : new Dictionary<string, string> { ["SeedNodes:0"] = seed, ["Hostname"] = "127.0.0.1", ["AllowSqliteInCluster"] = "true" };
        var node = await AdminNode.StartAsync(_db.File, settings, waitForUp);
        _nodes.Add(node);
        return node;
    }

    private static Task<PbmRun.Result> Pbm(AdminNode node, params string[] words) => PbmRun.RunAsync([node.Target, .. words]);

    [GeneratedRegex(@"^(?<address>akka\.tcp://actorpubsub@127\.0\.0\.1:\d+) \| (?<roles>\[[^\]]*\]) \| (?<status>\w+) \| (?<reachability>\w+) \| (?<version>[\d.]+)$")]
    private static partial Regex MemberLine();
}
