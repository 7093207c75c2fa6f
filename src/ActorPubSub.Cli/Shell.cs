namespace ActorPubSub.Cli;

/// <summary>
/// pbm without a command: connects, then reads commands line by line (<c>help</c>, <c>help &lt;palette&gt;</c>,
/// <c>exit</c>), like Petabridge.Cmd's prompt. A failing command prints its error and the prompt comes back; Ctrl-C
/// stops the running command (a tail). At a terminal it shows a banner and a prompt; with piped input it just runs the
/// lines (a script of commands).
/// </summary>
public sealed class Shell(Session session)
{
    public async Task<int> RunAsync(bool json, CancellationToken cancellationToken)
    {
        var console = session.Console;
        HostCatalog catalog;
        try
        {
            catalog = await session.CatalogAsync(cancellationToken);
        }
        catch (PbmException e)
        {
            return Pbm.Fail(console, e);
        }
        if (console.IsTerminal)
        {
            await console.Out.WriteLineAsync(
                $"pbm {Pbm.Version} connected to {session.Target.Display} ({catalog.Host}{(catalog.Address is { } a ? $" {a}" : "")}); "
                + $"palettes: {string.Join(", ", catalog.Palettes.Select(p => p.Name))}. Type help, or exit.");
        }
        while (!cancellationToken.IsCancellationRequested)
        {
            if (console.IsTerminal)
            {
                await console.Out.WriteAsync($"pbm {session.Target.Display}> ");
                await console.Out.FlushAsync(cancellationToken);
            }
            var line = await console.In.ReadLineAsync(cancellationToken);
            if (line is null) break;
            line = line.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line is "exit" or "quit") break;
            IReadOnlyList<string> words;
            try
            {
                words = LineSplitter.Split(line);
            }
            catch (PbmException e)
            {
                Pbm.Fail(console, e);
                continue;
            }
            // --json and --help work per line; the host and token were given when pbm started.
            var lineJson = json || words.Contains("--json");
            var help = words.Contains("--help") || words.Contains("-h");
            words = [.. words.Where(w => w is not ("--json" or "--help" or "-h"))];
            if (words.Count == 0)
            {
                foreach (var text in Help.Palettes(catalog, session.Target)) await console.Out.WriteLineAsync(text);
                continue;
            }
            await session.RunAsync(words, lineJson, help, cancellationToken);
        }
        return ExitCodes.Ok;
    }
}
