namespace ActorPubSub.Cli;

/// <summary>
/// Where pbm reads and writes, and what it knows of its environment: the real console in the program, captured writers
/// in tests (which call <see cref="Pbm.RunAsync"/> directly).
/// </summary>
public sealed class PbmConsole
{
    public required TextReader In { get; init; }
    public required TextWriter Out { get; init; }
    public required TextWriter Error { get; init; }

    /// <summary>True when a person types the commands: the interactive prompt shows a banner and a prompt.</summary>
    public bool IsTerminal { get; init; }

    /// <summary>Environment variables (<c>PBM_TOKEN</c>, ...).</summary>
    public Func<string, string?> Environment { get; init; } = global::System.Environment.GetEnvironmentVariable;

    /// <summary>Ctrl-C: stops the running command.</summary>
    public Interrupts Interrupts { get; init; } = new();

    public static PbmConsole System() => new()
    {
        In = Console.In,
        Out = Console.Out,
        Error = Console.Error,
        IsTerminal = !Console.IsInputRedirected && !Console.IsOutputRedirected,
    };
}
