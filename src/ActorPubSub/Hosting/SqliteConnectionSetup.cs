using System.Data.Common;
using LinqToDB.Interceptors;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Hosting;

/// <summary>
/// Sets the per-connection SQLite pragmas every time the journal or snapshot store opens a connection.
/// </summary>
/// <remarks>
/// <para><b>busy_timeout.</b> The journal, the snapshot store and journal deletes write through separate
/// connections, and SQLite admits one writer at a time. Without a busy timeout Microsoft.Data.Sqlite
/// answers SQLITE_BUSY by sleeping 150 ms before it retries, which showed up as 150–400 ms stalls of
/// group commits under load; SQLite's own busy handler retries within about a millisecond.</para>
/// <para><b>synchronous.</b> Per connection, so it is set here rather than once in the file.</para>
/// </remarks>
internal sealed class SqliteConnectionSetup(SqliteSynchronous synchronous) : ConnectionInterceptor
{
    /// <summary>How long the journal's connections wait for SQLite's write lock.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);

    private readonly string _pragmas = Pragmas(synchronous, BusyTimeout);

    /// <summary>The per-connection pragmas (also for connections of ActorPubSub's own, such as <see cref="SqliteCompaction"/>'s).</summary>
    public static string Pragmas(SqliteSynchronous synchronous, TimeSpan busyTimeout) =>
        $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds}; " +
        $"PRAGMA synchronous = {(synchronous == SqliteSynchronous.Normal ? "NORMAL" : "FULL")};";

    public override void ConnectionOpened(ConnectionEventData eventData, DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = _pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(ConnectionEventData eventData, DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = _pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
