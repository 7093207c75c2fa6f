using System.Text.Json;

namespace ActorPubSub.Cli;

/// <summary>One argument of a host's command, as <c>GET /admin/v1/palettes</c> describes it.</summary>
public sealed record ArgumentSpec(string Name, string Kind, string Type, bool Required, bool Repeated, string? Short, long? Min, long? Max,
    string Syntax, string Description)
{
    public bool IsPositional => Kind == "positional";
    public bool IsFlag => Kind == "flag";
    public bool IsInteger => Type == "integer";
}

/// <summary>A command of a palette: its words (<c>show</c>, <c>dlq list</c>), arguments and usage.</summary>
public sealed record CommandSpec(string Palette, string Name, string Path, string Description, string Usage, bool Streaming,
    IReadOnlyList<ArgumentSpec> Arguments)
{
    public string[] Words => Name.Split(' ');
}

public sealed record PaletteSpec(string Name, string Description, IReadOnlyList<CommandSpec> Commands);

/// <summary>
/// What a host serves (<c>GET /admin/v1/palettes</c>): its kind (node, lighthouse), its cluster address and its
/// palettes. pbm offers exactly these, so a lighthouse shows no pubsub palette and a newer node's commands work with
/// this pbm as they are.
/// </summary>
public sealed record HostCatalog(string Host, string? Address, IReadOnlyList<PaletteSpec> Palettes)
{
    public PaletteSpec? Find(string palette) =>
        Palettes.FirstOrDefault(p => string.Equals(p.Name, palette, StringComparison.OrdinalIgnoreCase));

    public static HostCatalog Parse(JsonElement json) => new(
        json.GetProperty("host").GetString() ?? "host",
        json.TryGetProperty("address", out var address) ? address.GetString() : null,
        [.. json.GetProperty("palettes").EnumerateArray().Select(Palette)]);

    private static PaletteSpec Palette(JsonElement p)
    {
        var name = p.GetProperty("name").GetString()!;
        return new PaletteSpec(name, p.GetProperty("description").GetString() ?? "",
            [.. p.GetProperty("commands").EnumerateArray().Select(c => Command(name, c))]);
    }

    private static CommandSpec Command(string palette, JsonElement c) => new(
        palette,
        c.GetProperty("name").GetString()!,
        c.GetProperty("path").GetString()!,
        c.GetProperty("description").GetString() ?? "",
        c.GetProperty("usage").GetString() ?? "",
        c.GetProperty("streaming").GetBoolean(),
        [.. c.GetProperty("arguments").EnumerateArray().Select(Argument)]);

    private static ArgumentSpec Argument(JsonElement a) => new(
        a.GetProperty("name").GetString()!,
        a.GetProperty("kind").GetString()!,
        a.GetProperty("type").GetString()!,
        a.GetProperty("required").GetBoolean(),
        a.GetProperty("repeated").GetBoolean(),
        a.TryGetProperty("short", out var s) ? s.GetString() : null,
        a.TryGetProperty("min", out var min) ? min.GetInt64() : null,
        a.TryGetProperty("max", out var max) ? max.GetInt64() : null,
        a.GetProperty("syntax").GetString() ?? "",
        a.GetProperty("description").GetString() ?? "");
}
