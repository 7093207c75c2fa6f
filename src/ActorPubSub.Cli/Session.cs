using System.Text.Json;

namespace ActorPubSub.Cli;

/// <summary>
/// pbm connected to one host: fetches its catalog once, then runs commands against it: finds the palette and command
/// (the longest match of the command's words), parses the arguments by the command's definition, runs it and prints
/// the answer or the stream.
/// </summary>
public sealed class Session(AdminClient client, AdminTarget target, PbmConsole console)
{
    private HostCatalog? _catalog;
    private bool _streaming;

    public AdminTarget Target => target;

    public PbmConsole Console => console;

    public async Task<HostCatalog> CatalogAsync(CancellationToken cancellationToken) =>
        _catalog ??= await client.CatalogAsync(cancellationToken);

    /// <summary>Runs one command line (its words: palette, command, arguments); returns the exit code.</summary>
    public async Task<int> RunAsync(IReadOnlyList<string> words, bool json, bool help, CancellationToken cancellationToken)
    {
        var command = console.Interrupts.Begin(cancellationToken);
        _streaming = false;
        try
        {
            return await RunCommandAsync(words, json, help, command.Token);
        }
        catch (PbmException e)
        {
            return Pbm.Fail(console, e);
        }
        catch (OperationCanceledException) when (command.IsCancellationRequested)
        {
            // Ctrl-C: ending a stream is how a tail is stopped (success); any other command was cut short.
            if (_streaming) return ExitCodes.Ok;
            await console.Error.WriteLineAsync("pbm: interrupted");
            return ExitCodes.Failed;
        }
        finally
        {
            console.Interrupts.End(command);
        }
    }

    private async Task<int> RunCommandAsync(IReadOnlyList<string> words, bool json, bool help, CancellationToken cancellationToken)
    {
        var catalog = await CatalogAsync(cancellationToken);
        if (words[0] == "help")
        {
            var lines = words.Count > 1 && catalog.Find(words[1]) is { } asked ? Help.Palette(asked) : Help.Palettes(catalog, target);
            foreach (var line in lines) await console.Out.WriteLineAsync(line);
            return ExitCodes.Ok;
        }
        var palette = catalog.Find(words[0]) ?? throw new PbmException(ExitCodes.Failed,
            $"unknown palette '{words[0]}'; {target.Display} ({catalog.Host}) has {string.Join(", ", catalog.Palettes.Select(p => p.Name))}");
        var spec = Match(palette, words);
        if (spec is null)
        {
            if (words.Count == 1 || help)
            {
                var writer = help ? console.Out : console.Error;
                foreach (var line in Help.Palette(palette)) await writer.WriteLineAsync(line);
                return help ? ExitCodes.Ok : ExitCodes.Usage;
            }
            throw new PbmException(ExitCodes.Failed,
                $"unknown command '{palette.Name} {words[1]}'; the {palette.Name} commands are {string.Join(", ", palette.Commands.Select(c => c.Name))}");
        }
        if (help)
        {
            foreach (var line in Help.Command(spec)) await console.Out.WriteLineAsync(line);
            return ExitCodes.Ok;
        }
        var args = ArgumentParser.Parse(spec, [.. words.Skip(1 + spec.Words.Length)]);
        var output = new OutputWriter(console.Out, console.Error, json);
        if (!spec.Streaming)
        {
            output.Result(await client.RunAsync(spec, args, cancellationToken));
            return ExitCodes.Ok;
        }
        _streaming = true;
        return await StreamAsync(spec, args, output, cancellationToken);
    }

    /// <summary>A stream runs until Ctrl-C (exit 0); the host ending it (node stopping, subscription deleted) is a failure.</summary>
    private async Task<int> StreamAsync(CommandSpec spec, System.Text.Json.Nodes.JsonObject args, OutputWriter output, CancellationToken cancellationToken)
    {
        await foreach (var e in client.StreamAsync(spec, args, cancellationToken))
        {
            output.Event(e);
            if (e.GetProperty("type").GetString() is "end" or "error") return ExitCodes.Failed;
        }
        await console.Error.WriteLineAsync($"pbm: {target.Display} closed the stream");
        return ExitCodes.Failed;
    }

    /// <summary>The palette's command whose words start <paramref name="words"/> (after the palette), the longest first.</summary>
    private static CommandSpec? Match(PaletteSpec palette, IReadOnlyList<string> words) =>
        palette.Commands
            .Where(c => c.Words.Length < words.Count
                        && c.Words.Select((w, i) => string.Equals(w, words[i + 1], StringComparison.OrdinalIgnoreCase)).All(x => x))
            .MaxBy(c => c.Words.Length);
}
