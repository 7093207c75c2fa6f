using System.Text.Json.Nodes;

namespace ActorPubSub.Server.Admin.Actors;

/// <summary><c>actor</c>: the actor hierarchy of this host (under <c>/user</c> and <c>/system</c>).</summary>
internal static class ActorPalette
{
    public const int DefaultDepth = 3;
    public const int MaxDepth = 20;

    public static CommandPalette Create() => new("actor", "the actor hierarchy of this host",
    [
        new AdminCommand("hierarchy", "the actors below /user and /system (or below -s PATH), one path per line",
        [
            CommandArgument.Option("depth", 'd', $"levels below the start to show; default {DefaultDepth}") with
                { Type = ArgumentType.Integer, Min = 0, Max = MaxDepth },
            CommandArgument.Option("start", 's', "the actor path to start at, e.g. /system/sharding; default /user and /system") with
                { ValueName = "path" },
        ]) { Run = HierarchyAsync },
    ]);

    private static async Task<CommandResult> HierarchyAsync(AdminContext context, CommandArgs args)
    {
        var depth = (int)(args.Integer("depth") ?? DefaultDepth);
        var starts = args.String("start") is { } start ? [Validate(args, start)] : new[] { "/user", "/system" };
        var entries = new List<ActorTree.Entry>();
        var truncated = false;
        foreach (var path in starts)
        {
            var root = await ActorTree.ResolveAsync(context, path);
            var (found, cut) = ActorTree.Walk(root, depth);
            entries.AddRange(found);
            truncated |= cut;
        }
        var lines = entries.Select(e => e.Path).ToList();
        lines.Add($"Count: {entries.Count} actors" + (truncated ? $" (stopped at {ActorTree.MaxActors}; narrow it with -s and -d)" : ""));
        var data = new JsonObject
        {
            ["actors"] = new JsonArray([.. entries.Select(e => (JsonNode?)new JsonObject { ["path"] = e.Path, ["depth"] = e.Depth })]),
            ["count"] = entries.Count,
            ["truncated"] = truncated,
        };
        return CommandResult.Lines(data, lines);
    }

    private static string Validate(CommandArgs args, string path)
    {
        // A local path only: a selection with wildcards or another address would fan out or leave this host.
        if (!path.StartsWith('/') || path.Length > 1024 || path.IndexOfAny(['*', '?', '[', ']']) >= 0 || path.Contains("//", StringComparison.Ordinal))
            throw args.Invalid("start", $"must be an actor path of this host starting with / and without wildcards, e.g. /system/sharding, not '{path}'");
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }
}
