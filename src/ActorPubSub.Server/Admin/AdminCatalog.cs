using System.Text.Json.Nodes;

namespace ActorPubSub.Server.Admin;

/// <summary>
/// The command palettes one host serves (a broker node: cluster, sharding, actor, pubsub; a lighthouse: cluster and
/// actor), and their description for <c>GET /admin/v1/palettes</c>, from which pbm learns what it may offer and how to
/// parse each command's arguments.
/// </summary>
internal sealed class AdminCatalog(string host, IReadOnlyList<CommandPalette> palettes)
{
    /// <summary>The protocol version in every admin path (<c>/admin/v1/...</c>); a breaking change gets a new one.</summary>
    public const int Version = 1;

    /// <summary>The path every admin URL starts with.</summary>
    public const string BasePath = "/admin/v1";

    /// <summary><c>node</c> or <c>lighthouse</c>.</summary>
    public string Host { get; } = host;

    public IReadOnlyList<CommandPalette> Palettes { get; } = palettes;

    public CommandPalette? Find(string palette) =>
        Palettes.FirstOrDefault(p => string.Equals(p.Name, palette, StringComparison.OrdinalIgnoreCase));

    public IEnumerable<string> PaletteNames => Palettes.Select(p => p.Name);

    public JsonObject Describe(string? address) => new()
    {
        ["version"] = Version,
        ["host"] = Host,
        ["address"] = address,
        ["palettes"] = new JsonArray([.. Palettes.Select(p => (JsonNode?)Describe(p))]),
    };

    private static JsonObject Describe(CommandPalette palette) => new()
    {
        ["name"] = palette.Name,
        ["description"] = palette.Description,
        ["commands"] = new JsonArray([.. palette.Commands.Select(c => (JsonNode?)Describe(palette, c))]),
    };

    private static JsonObject Describe(CommandPalette palette, AdminCommand command) => new()
    {
        ["name"] = command.Name,
        ["path"] = $"{BasePath}/{palette.Name}/{command.Path}",
        ["description"] = command.Description,
        ["usage"] = command.Usage(palette.Name),
        ["streaming"] = command.IsStreaming,
        ["arguments"] = new JsonArray([.. command.Arguments.Select(a => (JsonNode?)Describe(a))]),
    };

    private static JsonObject Describe(CommandArgument argument)
    {
        var json = new JsonObject
        {
            ["name"] = argument.Name,
            ["kind"] = argument.Kind.ToString().ToLowerInvariant(),
            ["type"] = argument.Kind == ArgumentKind.Flag ? "boolean" : argument.Type.ToString().ToLowerInvariant(),
            ["required"] = argument.Required,
            ["repeated"] = argument.Repeated,
            ["description"] = argument.Description,
            ["syntax"] = argument.Syntax,
        };
        if (argument.Short is { } s) json["short"] = s.ToString();
        if (argument.Min is { } min) json["min"] = min;
        if (argument.Max is { } max) json["max"] = max;
        return json;
    }
}
