using Npgsql;

namespace ActorPubSub.Tests.Support.Stores;

/// <summary>
/// The PostgreSQL server of <see cref="TestPostgreSql"/> for a collection of specs: checked once (a spec fails at once,
/// naming the server, when it does not answer), and the source of their empty databases.
/// </summary>
public sealed class PostgreSqlFixture : IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        var connectionString = TestPostgreSql.ConnectionString;
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
        }
        catch (NpgsqlException e)
        {
            var server = new NpgsqlConnectionStringBuilder(connectionString);
            throw new Xunit.Sdk.XunitException($"The PostgreSQL server of {TestPostgreSql.Variable} ({server.Host}:{server.Port}) does not answer: {e.Message}");
        }
    }

    /// <summary>A new, empty database on the server (dropped when the store is disposed).</summary>
    public async Task<TestStore> CreateStoreAsync() => await PostgreSqlStore.CreateAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}
