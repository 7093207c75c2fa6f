namespace ActorPubSub.Cli;

/// <summary>Ends a pbm command with a one-line message on stderr, an exit code and, for usage errors, the usage.</summary>
public sealed class PbmException(int exitCode, string message, string? usage = null) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public string? Usage { get; } = usage;

    public static PbmException UsageError(string message, string? usage) => new(ExitCodes.Usage, message, usage);
}
