using Microsoft.Data.Sqlite;
using ActorPubSub.Tests.Support.Stores;

namespace ActorPubSub.Tests.Journal;

/// <summary>The topics' journal on SQLite: a file of its own per test.</summary>
[Trait("Category", "Integration")]
public sealed class SqliteTopicWriteJournalSpec : TopicWriteJournalSpec
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.CreateAsync(StoreKind.Sqlite);

    protected override async Task<IAsyncDisposable> LockJournalAsync(TestStore store)
    {
        var connection = new SqliteConnection($"Data Source={((SqliteStore)store).File};Pooling=False");   // closed when disposed: the lock ends
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "BEGIN IMMEDIATE";   // SQLite's write lock, held until the connection closes (rolled back)
        await command.ExecuteNonQueryAsync();
        return connection;
    }
}
