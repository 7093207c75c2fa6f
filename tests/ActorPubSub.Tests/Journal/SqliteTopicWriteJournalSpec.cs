using Akka.Persistence;
using ActorPubSub.Hosting;
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

    [Fact]
    public async Task A_write_still_queued_when_the_circuit_breaker_times_it_out_should_not_be_committed_later()
    {
        // arrange: the journal has started (its tables exist); then the table is locked: SQLite's single writer takes
        // "held" into a transaction, which waits for the lock, and "queued" waits behind it ("held" fills a transaction
        // on its own, so the writer never takes the two together)
        await Write(Event("ready", 1, "r")).ExpectMsgAsync<WriteMessagesSuccessful>(TimeSpan.FromSeconds(20));
        WriteProbe held, queued;
        await using (await LockJournalAsync(Store))
        {
            held = Write([.. Enumerable.Range(1, PubSubStorage.SqliteBatchRows).Select(i => Event("held", i, "h"))]);
            queued = Write(Event("queued", 1, "q"));

            // act: the journal's circuit breaker gives up on both (call-timeout 10 s) while the lock is still held
            await held.ExpectMsgAsync<WriteMessagesFailed>(TimeSpan.FromSeconds(30));
            await queued.ExpectMsgAsync<WriteMessagesFailed>(TimeSpan.FromSeconds(30));
        }

        // assert: the transaction that was running ends once the lock goes (its outcome was unknown when it was reported
        // failed: the topic recovers whichever it was); the write still queued is dropped, not committed after its failure.
        // A replay waits for the persistence id's write in progress, so both answers come after the writer is done with them.
        Assert.Equal(Enumerable.Range(1, PubSubStorage.SqliteBatchRows).Select(i => ((long)i, "h")), (await ReplayAsync("held")).Events);
        Assert.Empty((await ReplayAsync("queued")).Events);
    }
}
