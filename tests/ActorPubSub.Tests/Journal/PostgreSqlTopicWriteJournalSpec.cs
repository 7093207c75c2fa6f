using Npgsql;
using ActorPubSub.Tests.Support.Stores;

namespace ActorPubSub.Tests.Journal;

/// <summary>The topics' journal on PostgreSQL: a database of its own per test on the test run's server.</summary>
[Collection(PostgreSqlCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PostgreSqlTopicWriteJournalSpec(PostgreSqlFixture postgreSql) : TopicWriteJournalSpec
{
    protected override Task<TestStore> CreateStoreAsync() => postgreSql.CreateStoreAsync();

    protected override async Task<IAsyncDisposable> LockJournalAsync(TestStore store)
    {
        var connection = new NpgsqlConnection(((PostgreSqlStore)store).ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        // EXCLUSIVE blocks every INSERT until the transaction ends (closing the connection rolls it back).
        command.CommandText = "BEGIN; LOCK TABLE journal IN EXCLUSIVE MODE;";
        await command.ExecuteNonQueryAsync();
        return connection;
    }
}
