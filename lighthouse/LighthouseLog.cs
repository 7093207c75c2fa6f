using Microsoft.Extensions.Logging;

namespace ActorPubSub.Lighthouse;

/// <summary>The lighthouse's own log lines (Akka's log goes through the same logger factory).</summary>
internal static partial class LighthouseLog
{
    public const string Category = "Lighthouse";

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Lighthouse listening on {Address} (bound to {BindHostname}), seeds {Seeds}, role {Role}, split brain resolver: {SplitBrainResolver}")]
    public static partial void Listening(ILogger logger, string address, string bindHostname, string seeds, string role, string splitBrainResolver);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Lighthouse is Up in the cluster as {Address}")]
    public static partial void MemberUp(ILogger logger, string address);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Lighthouse stopping (reason: {Reason})")]
    public static partial void Stopping(ILogger logger, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Lighthouse stopped")]
    public static partial void Stopped(ILogger logger);
}
