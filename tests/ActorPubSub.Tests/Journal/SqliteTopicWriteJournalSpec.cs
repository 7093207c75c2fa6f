using Akka.Actor;
using Akka.Persistence;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using ActorPubSub.Hosting;
using ActorPubSub.Journal;
using ActorPubSub.Tests.Support;
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

    [Fact]
    public async Task A_listening_persistence_id_should_have_its_write_done_once_written_and_hear_when_it_is_synced()
    {
        // arrange: the defaults (synchronous FULL, delivery before the fsync): the writer fsyncs the WAL itself
        var listener = new TestProbe(System, new XunitAssertions());
        SyncNotices.For(System).Listen("orders", listener.Ref);

        // act
        var probe = Write(Event("orders", 1, "first"), Event("orders", 2, "second"));

        // assert: the write completes, the listener hears that everything up to 2 is synced, and the journal says it splits
        await probe.ExpectMsgAsync<WriteMessagesSuccessful>(TimeSpan.FromSeconds(20));
        Assert.Equal(2, (await listener.ExpectMsgAsync<JournalSynced>(TimeSpan.FromSeconds(20))).UpToSequenceNr);
        Assert.True(SyncNotices.For(System).Splits(JournalRef));
        var journal = System.Settings.Config.GetConfig($"akka.persistence.journal.{PubSubHostingExtensions.PersistencePluginId}");
        Assert.True(journal.GetBoolean(TopicWriteJournal.SqliteSyncSeparatelyKey));
        Assert.Contains("synchronous = NORMAL", journal.GetString(TopicWriteJournal.SqlitePragmasKey), StringComparison.Ordinal);
        Assert.Equal([(1L, "first"), (2L, "second")], (await ReplayAsync("orders")).Events);
    }

    [Fact]
    public async Task With_delivery_after_the_fsync_the_writer_should_commit_with_FULL_and_the_journal_should_not_split()
    {
        // arrange: a node of its own with DeliverBeforeSync off
        await using var store = await TestStore.CreateAsync(StoreKind.Sqlite);
        await using var node = await PubSubNode.StartAsync(store.Apply(new PubSubOptions { DeliverBeforeSync = false }));
        var journalRef = Persistence.Instance.Apply(node.System).JournalFor("akka.persistence.journal." + PubSubHostingExtensions.PersistencePluginId);
        var probe = new TestProbe(node.System, new XunitAssertions());

        // act: one write (the journal has registered whatever it does before it answers it)
        journalRef.Tell(new WriteMessages([new AtomicWrite(Event("orders", 1, "first"))], probe.Ref, actorInstanceId: 1));
        await probe.ExpectMsgAsync<WriteMessagesSuccessful>(TimeSpan.FromSeconds(20));

        // assert: SQLite's own fsync in each commit, and no sync reports (a topic confirms when the write completes)
        Assert.False(SyncNotices.For(node.System).Splits(journalRef));
        var journal = node.System.Settings.Config.GetConfig($"akka.persistence.journal.{PubSubHostingExtensions.PersistencePluginId}");
        Assert.False(journal.GetBoolean(TopicWriteJournal.SqliteSyncSeparatelyKey));
        Assert.Contains("synchronous = FULL", journal.GetString(TopicWriteJournal.SqlitePragmasKey), StringComparison.Ordinal);
    }
}
