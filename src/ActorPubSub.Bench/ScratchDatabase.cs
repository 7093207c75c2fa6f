using Npgsql;

namespace ActorPubSub.Bench;

/// <summary>
/// A PostgreSQL database of the run's own on the server of --postgres, created empty and dropped at the end, so
/// that what the run measures of its store on disk is its own (the connecting role needs CREATEDB).
/// </summary>
internal sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly string _server;

    private ScratchDatabase(string server, string name, string connectionString) =>
        (_server, Name, ConnectionString) = (server, name, connectionString);

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<ScratchDatabase> CreateAsync(string server, string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}";
        try
        {
            await ExecuteAsync(server, $"CREATE DATABASE \"{name}\"");
        }
        catch (PostgresException e)
        {
            throw new InvalidOperationException(
                $"Could not create the run's own database on the --postgres server ({e.MessageText}); the role needs CREATEDB.", e);
        }
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        return new ScratchDatabase(server, name, connectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await using (var connection = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(connection);
        // The stopped node's connection pools may still hold idle sessions on it: FORCE ends them (PostgreSQL 13+).
        await ExecuteAsync(_server, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
