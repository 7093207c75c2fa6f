namespace ActorPubSub.Cli;

/// <summary>pbm's help texts: pbm itself, a host's palettes, a palette's commands, a command's arguments.</summary>
public static class Help
{
    public static IEnumerable<string> General() =>
    [
        Invocation.Usage,
        "",
        "Inspects and operates an ActorPubSub cluster through a node's (or lighthouse's) admin endpoint.",
        $"  host:port          the node's web server (Node:HttpAddress); default {AdminTarget.DefaultAddress}",
        "  --token <token>    the admin token when the node listens beyond loopback; else PBM_TOKEN, then the",
        "                     node's own ACTORPUBSUB_Node__AdminToken / ACTORPUBSUB_Lighthouse__AdminToken",
        "  --json             print the data as JSON (streams: one JSON object per line)",
        "  --timeout <s>      how long to wait for an answer (default 150)",
        "  -h, --help         help for pbm, a palette (pbm cluster --help) or a command",
        "Without a command pbm reads commands from its input, one per line (help, exit).",
        $"Exit codes: {ExitCodes.Ok} ok, {ExitCodes.Failed} failed or not found, {ExitCodes.Usage} usage error, {ExitCodes.Unreachable} unreachable or token refused.",
    ];

    public static IEnumerable<string> Palettes(HostCatalog catalog, AdminTarget target)
    {
        yield return $"{target.Display} is a {catalog.Host}" + (catalog.Address is { } a ? $" ({a})" : "") + "; its palettes:";
        foreach (var palette in catalog.Palettes)
        {
            yield return $"  {palette.Name,-10} {palette.Description}";
            foreach (var command in palette.Commands) yield return $"    {command.Usage}";
        }
    }

    public static IEnumerable<string> Palette(PaletteSpec palette)
    {
        yield return $"{palette.Name}: {palette.Description}";
        var width = palette.Commands.Max(c => c.Name.Length);
        foreach (var command in palette.Commands) yield return $"  {command.Name.PadRight(width)}  {command.Description}";
        yield return $"Run pbm {palette.Name} <command> --help for a command's arguments.";
    }

    public static IEnumerable<string> Command(CommandSpec command)
    {
        yield return $"usage: {command.Usage}";
        yield return command.Description;
        foreach (var argument in command.Arguments) yield return $"  {argument.Syntax,-28} {argument.Description}";
    }
}
