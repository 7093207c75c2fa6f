using Microsoft.Extensions.Logging;

namespace ActorPubSub.Node;

/// <summary>The node host's own log lines (Akka's log goes through the same logger factory).</summary>
internal static partial class NodeLog
{
    public const string Category = "ActorPubSub.Node";

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "ActorPubSub node listening on {Address} (bound to {BindHostname}), storage: {Storage}, mode: {Mode}, split brain resolver: {SplitBrainResolver}")]
    public static partial void Listening(ILogger logger, string address, string bindHostname, string storage, string mode, string splitBrainResolver);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "ActorPubSub node is Up in the cluster as {Address}")]
    public static partial void MemberUp(ILogger logger, string address);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning,
        Message = "Cluster mode on SQLite ({Storage}), allowed by Node:AllowSqliteInCluster: this must be the cluster's only broker node; a cluster of several broker nodes needs PostgreSQL (Node:PostgreSqlConnectionString)")]
    public static partial void SqliteInCluster(ILogger logger, string storage);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "ActorPubSub node stopping (reason: {Reason})")]
    public static partial void Stopping(ILogger logger, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "ActorPubSub node stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "ActorPubSub memory budget: {Budget} ({Bytes} bytes; {Source})")]
    public static partial void MemoryBudget(ILogger logger, string budget, long bytes, string source);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error,
        Message = "ActorPubSub node leaving the cluster: {Why}. Its topics move to the other brokers; it exits with code {ExitCode} and, restarted, joins again once the journal answers")]
    public static partial void LeavingForJournalOutage(ILogger logger, string why, int exitCode);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "ActorPubSub node refused by the cluster it joined, stopping (exit code {ExitCode}): {Why}")]
    public static partial void JoinRefused(ILogger logger, string why, int exitCode);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "ActorPubSub node runtime: {Runtime}")]
    public static partial void Runtime(ILogger logger, string runtime);
}
