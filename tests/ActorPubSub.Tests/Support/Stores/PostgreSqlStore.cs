using ActorPubSub.Hosting;
using Npgsql;

namespace ActorPubSub.Tests.Support.Stores;

/// <summary>
/// A database of its own on the server of <see cref="TestPostgreSql"/> (created empty, dropped when disposed), so
/// tests on one server never see each other's topics and a test's row counts are its own.
/// </summary>
public sealed class PostgreSqlStore : TestStore
{
    private PostgreSqlStore(string database, string connectionString) => (Database, ConnectionString) = (database, connectionString);

    public override StoreKind Kind => StoreKind.PostgreSql;

    public string Database { get; }

    public string ConnectionString { get; }

    public static async Task<PostgreSqlStore> CreateAsync()
    {
        var server = TestPostgreSql.ConnectionString;
        var database = $"actorpubsub_{Guid.NewGuid():N}";
        await ExecuteAsync(server, $"CREATE DATABASE \"{database}\"");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        return new PostgreSqlStore(database, connectionString);
    }

    public override PubSubOptions Apply(PubSubOptions options)
    {
        options.PostgreSqlConnectionString = ConnectionString;
        return options;
    }

    public override async Task<long> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return ToLong(await command.ExecuteScalarAsync());
    }

    public override async ValueTask DisposeAsync()
    {
        // The stopped nodes' connection pools may still hold idle sessions on it: FORCE ends them (PostgreSQL 13+).
        await ExecuteAsync(TestPostgreSql.ConnectionString, $"DROP DATABASE IF EXISTS \"{Database}\" WITH (FORCE)");
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
