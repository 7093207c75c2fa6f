using Akka.Actor;
using Akka.Cluster.Sharding;

namespace ActorPubSub.Node.Admin.Sharding;

/// <summary>
/// <c>sharding</c>: the shard regions of the cluster (per entity type, the nodes hosting one) and how many shards and
/// entities each holds, from the shard coordinators (<c>GetCurrentRegions</c>, <c>GetClusterShardingStats</c>).
/// Broker nodes only: a lighthouse runs no sharding.
/// </summary>
internal static class ShardingPalette
{
    /// <summary>How long the coordinator may collect the regions' statistics.</summary>
    private static readonly TimeSpan StatsTimeout = TimeSpan.FromSeconds(5);

    public static CommandPalette Create() => new("sharding", "shard regions, shards and entities per node",
    [
        new AdminCommand("regions", "each entity type and the nodes that host a region of it", []) { Run = RegionsAsync },
        new AdminCommand("stats", "shards and entities per node and entity type", []) { Run = StatsAsync },
    ]);

    private static async Task<CommandResult> RegionsAsync(AdminContext context, CommandArgs args)
    {
        var rows = new List<IReadOnlyList<string>>();
        var types = new JsonObject();
        foreach (var (type, region) in Regions(context.System))
        {
            var regions = await context.AskAsync<CurrentRegions>(region, GetCurrentRegions.Instance, $"the {type} shard region");
            var addresses = regions.Regions.Select(a => a.ToString()).Order(StringComparer.Ordinal).ToList();
            types[type] = new JsonArray([.. addresses.Select(a => (JsonNode?)JsonValue.Create(a))]);
            rows.AddRange(addresses.Select(a => (IReadOnlyList<string>)[type, a]));
        }
        return new CommandResult(new JsonObject { ["types"] = types },
        [
            ViewBlock.Of(new ViewTable(["TYPE", "NODE"], rows)),
            ViewBlock.Text([$"Count: {rows.Count} regions of {types.Count} entity types"]),
        ]);
    }

    private static async Task<CommandResult> StatsAsync(AdminContext context, CommandArgs args)
    {
        var rows = new List<IReadOnlyList<string>>();
        var totals = new List<string>();
        var types = new JsonObject();
        foreach (var (type, region) in Regions(context.System))
        {
            var stats = await context.AskAsync<ClusterShardingStats>(region, new GetClusterShardingStats(StatsTimeout),
                $"the {type} shard region", StatsTimeout + TimeSpan.FromSeconds(2));
            var nodes = new JsonObject();
            foreach (var (address, regionStats) in stats.Regions.OrderBy(r => r.Key.ToString(), StringComparer.Ordinal))
            {
                var entities = regionStats.Stats.Values.Sum();
                nodes[address.ToString()] = new JsonObject
                {
                    ["shards"] = regionStats.Stats.Count,
                    ["entities"] = entities,
                    ["failedShards"] = regionStats.Failed.Count,
                };
                rows.Add([type, address.ToString(), Number(regionStats.Stats.Count), Number(entities), Number(regionStats.Failed.Count)]);
            }
            types[type] = nodes;
            totals.Add($"{type}: {Plural(stats.Regions.Values.Sum(r => r.Stats.Count), "shard")}, "
                       + $"{Plural(stats.Regions.Values.Sum(r => r.Stats.Values.Sum()), "entity", "entities")} on {Plural(stats.Regions.Count, "node")}");
        }
        return new CommandResult(new JsonObject { ["types"] = types },
            [ViewBlock.Of(new ViewTable(["TYPE", "NODE", "SHARDS", "ENTITIES", "FAILED"], rows)), ViewBlock.Text(totals)]);
    }

    private static IEnumerable<(string Type, IActorRef Region)> Regions(ActorSystem system)
    {
        var sharding = ClusterSharding.Get(system);
        return sharding.ShardTypeNames.Order(StringComparer.Ordinal).Select(type => (type, sharding.ShardRegion(type)));
    }

    private static string Plural(int n, string one, string? many = null) => $"{Number(n)} {(n == 1 ? one : many ?? one + "s")}";

    private static string Number(int n) => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
}
