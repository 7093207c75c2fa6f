namespace ActorPubSub.Cli;

/// <summary>
/// pbm's entry point: <c>pbm [host:port] &lt;palette&gt; &lt;command&gt; [arguments]</c> runs one command; without a command
/// it reads commands line by line (<see cref="Shell"/>). Returns the exit code (<see cref="ExitCodes"/>); every failure
/// is one line on stderr. Tests call this with captured writers, the program with the console.
/// </summary>
public static class Pbm
{
    public static string Version => typeof(Pbm).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <param name="cancellationToken">Stops everything (the program passes none: Ctrl-C goes through <see cref="PbmConsole.Interrupts"/>).</param>
    public static async Task<int> RunAsync(string[] args, PbmConsole console, CancellationToken cancellationToken)
    {
        Invocation invocation;
        try
        {
            invocation = Invocation.Parse(args, console.Environment);
        }
        catch (PbmException e)
        {
            return Fail(console, e);
        }
        if (invocation.Version)
        {
            await console.Out.WriteLineAsync($"pbm {Version}");
            return ExitCodes.Ok;
        }
        if (invocation.Help && invocation.Words.Count == 0)
        {
            foreach (var line in Help.General()) await console.Out.WriteLineAsync(line);
            return ExitCodes.Ok;
        }

        using var client = new AdminClient(invocation.Target, invocation.Token, invocation.Timeout);
        var session = new Session(client, invocation.Target, console);
        if (invocation.Words.Count == 0) return await new Shell(session).RunAsync(invocation.Json, cancellationToken);
        return await session.RunAsync(invocation.Words, invocation.Json, invocation.Help, cancellationToken);
    }

    /// <summary>Writes the one-line error (and the usage, for usage errors) and returns the exit code.</summary>
    internal static int Fail(PbmConsole console, PbmException e)
    {
        // The message can quote what the host was given (a topic name, a header): one line, escaped like all output.
        console.Error.WriteLine($"pbm: {TerminalText.Escape(e.Message)}");
        if (e.Usage is { } usage) console.Error.WriteLine($"usage: {TerminalText.Escape(usage)}");
        return e.ExitCode;
    }
}
