using LinqToDB;
using Microsoft.Data.Sqlite;

namespace ActorPubSub.Hosting;

/// <summary>Resolves the journal's connection string and linq2db provider from the options.</summary>
internal static class PubSubStorage
{
    public const string DefaultSqliteFile = "./data/actorpubsub.db";

    /// <summary>The linq2db options of the journal and snapshot store.</summary>
    public static DataOptions Resolve(PubSubOptions options)
    {
        if (options.PostgreSqlConnectionString is { } pg)
            return new DataOptions().UseConnectionString(ProviderName.PostgreSQL15, pg);

        var file = Path.GetFullPath(options.SqliteFile ?? DefaultSqliteFile);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = file, Pooling = true }.ToString();
        EnableWriteAheadLog(connectionString);
        return new DataOptions()
            .UseConnectionString(ProviderName.SQLiteMS, connectionString)
            .UseInterceptor(new SqliteConnectionSetup(options.SqliteSynchronous ?? SqliteSynchronous.Full));
    }

    /// <summary>
    /// WAL lets the journal's reads (recovery) run beside its writes, and is stored in the database file, so
    /// setting it once covers every later connection. (The synchronous level is per connection:
    /// <see cref="SqliteConnectionSetup"/>.)
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
