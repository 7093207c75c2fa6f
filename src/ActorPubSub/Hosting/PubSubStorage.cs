using LinqToDB;
using Microsoft.Data.Sqlite;

namespace ActorPubSub.Hosting;

/// <summary>Resolves the journal's connection string and linq2db provider from the options.</summary>
internal static class PubSubStorage
{
    public const string DefaultSqliteFile = "./data/actorpubsub.db";

    public static (string ConnectionString, string ProviderName) Resolve(PubSubOptions options)
    {
        if (options.PostgreSqlConnectionString is { } pg) return (pg, ProviderName.PostgreSQL15);

        var file = Path.GetFullPath(options.SqliteFile ?? DefaultSqliteFile);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = file, Pooling = true }.ToString();
        EnableWriteAheadLog(connectionString);
        return (connectionString, ProviderName.SQLiteMS);
    }

    /// <summary>
    /// WAL lets the journal's reads (recovery) run beside its writes, and is stored in the database file, so
    /// setting it once covers every later connection. The synchronous level stays SQLite's default, FULL:
    /// each commit (each group-commit batch) is fsynced before a publish is confirmed, so confirmed messages
    /// survive a process crash and a power loss.
    /// </summary>
    private static void EnableWriteAheadLog(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }
}
