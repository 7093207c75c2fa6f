using System.Reflection;
using Akka.Persistence.Sql;
using Akka.Persistence.Sql.Config;
using ActorPubSub.Hosting;
using ActorPubSub.Journal;
using ActorPubSub.Tests.Support;
using Microsoft.Data.Sqlite;

namespace ActorPubSub.Tests.Journal;

/// <summary>
/// <see cref="SqliteJournalStore"/>'s sync on a real SQLite file in WAL mode, as the hosting prepares it: with
/// <c>syncSeparately</c> a commit is readable before it is synced and <see cref="SqliteJournalStore.Sync"/> fsyncs the
/// WAL, also after a failed insert closed the store's connection; a sync with nothing committed or without
/// <c>syncSeparately</c> does nothing; a disposed store refuses to sync.
/// </summary>
public sealed class SqliteJournalStoreSyncSpec : IDisposable
{
    private static readonly string Pragmas = SqliteConnectionSetup.Pragmas(SqliteSynchronous.Normal, TimeSpan.FromSeconds(5));

    private readonly TempDatabase _db = new();
    private readonly string _connectionString;

    public SqliteJournalStoreSyncSpec()
    {
        // as the hosting opens it: pooled connections, the file in WAL mode; the journal table as Akka.Persistence.Sql makes it
        _connectionString = new SqliteConnectionStringBuilder { DataSource = _db.File, Pooling = true }.ToString();
        PubSubStorage.PrepareFile(_connectionString);
        Execute("""
            CREATE TABLE "journal" (
              "ordering" INTEGER PRIMARY KEY AUTOINCREMENT, "deleted" INTEGER NOT NULL, "persistence_id" TEXT NOT NULL,
              "sequence_number" INTEGER NOT NULL, "created" INTEGER NOT NULL, "tags" TEXT NULL, "message" BLOB NOT NULL,
              "identifier" INTEGER NOT NULL, "manifest" TEXT NOT NULL, "writer_uuid" TEXT NULL,
              UNIQUE ("persistence_id", "sequence_number"));
            """);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _db.Dispose();
    }

    [Fact]
    public async Task A_commit_should_be_readable_before_its_sync_and_the_sync_should_fsync_the_WAL()
    {
        // arrange
        var store = Store(syncSeparately: true);
        await using var _ = store;

        // act
        await store.InsertAsync([Rows(("a", 1), ("a", 2))], CancellationToken.None);
        var readBeforeSync = Count();
        store.Sync();

        // assert: committed and readable from another connection before the sync; the sync found and opened the WAL
        Assert.True(store.SyncsSeparately);
        Assert.Equal(2, readBeforeSync);
        Assert.True(File.Exists(_db.File + "-wal"));
        Assert.True(WalOpen(store));
    }

    [Fact]
    public async Task After_a_failed_insert_closed_the_connection_syncs_and_inserts_should_go_on()
    {
        // arrange: one good commit
        var store = Store(syncSeparately: true);
        await using var _ = store;
        await store.InsertAsync([Rows(("a", 1))], CancellationToken.None);
        store.Sync();

        // act: a commit that repeats (persistence id, sequence number) fails, closing the connection; then more
        var duplicate = await Record.ExceptionAsync(() => store.InsertAsync([Rows(("b", 1)), Rows(("a", 1))], CancellationToken.None));
        store.Sync();
        var walOpenAfterFailure = WalOpen(store);
        await store.InsertAsync([Rows(("c", 1), ("c", 2))], CancellationToken.None);
        store.Sync();

        // assert: the failed commit stored nothing; the sync after it still fsynced the WAL; the good rows are all there
        Assert.IsType<SqliteException>(duplicate);
        Assert.True(walOpenAfterFailure);
        Assert.True(WalOpen(store));
        Assert.Equal(3, Count());
        Assert.Equal(0, Count("b"));
        Assert.Equal(2, Count("c"));
    }

    [Fact]
    public async Task A_sync_should_fsync_the_WAL_the_connection_writes_to_not_one_SQLite_deleted()
    {
        // arrange: unpooled connections, so the last one to close checkpoints and deletes the WAL; a failed insert closes
        // the store's connection, and a sync then opens the WAL that a reader of the test's still holds
        var unpooled = new SqliteConnectionStringBuilder { DataSource = _db.File, Pooling = false }.ToString();
        var table = new JournalTableConfig(SqlPersistence.DefaultConfiguration.GetConfig("akka.persistence.journal.sql"));
        var store = new SqliteJournalStore(unpooled, JournalTable.InsertSql(table, "0", i => $"$p{i}"), null, Pragmas, syncSeparately: true);
        await using var _ = store;
        SqliteConnection.ClearAllPools();
        await store.InsertAsync([Rows(("a", 1))], CancellationToken.None);
        await using (var reader = new SqliteConnection(unpooled))
        {
            await reader.OpenAsync();
            await using (var read = reader.CreateCommand())
            {
                read.CommandText = "SELECT count(*) FROM journal";   // a connection opens the WAL at its first read
                await read.ExecuteScalarAsync();
            }
            await Record.ExceptionAsync(() => store.InsertAsync([Rows(("a", 1))], CancellationToken.None));
            store.Sync();
            Assert.True(WalOpen(store));
        }   // the last connection closes: SQLite checkpoints and deletes that WAL

        // act: the next commit opens a connection, which writes to a new WAL; then the sync
        await store.InsertAsync([Rows(("a", 2))], CancellationToken.None);
        store.Sync();

        // assert: the file the sync holds is the live WAL, not the deleted one
        var fd = ((FileStream)typeof(SqliteJournalStore).GetField("_wal", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(store)!)
            .SafeFileHandle.DangerousGetHandle();
        var target = new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        Assert.Equal(Path.GetFullPath(_db.File + "-wal"), target);
        Assert.Equal(2, Count("a"));
    }

    [Fact]
    public async Task A_sync_before_any_commit_should_do_nothing()
    {
        // arrange
        var store = Store(syncSeparately: true);
        await using var _ = store;

        // act
        var failure = Record.Exception(store.Sync);

        // assert
        Assert.Null(failure);
        Assert.False(WalOpen(store));
    }

    [Fact]
    public async Task A_disposed_store_should_refuse_to_sync()
    {
        // arrange
        var store = Store(syncSeparately: true);
        await store.InsertAsync([Rows(("a", 1))], CancellationToken.None);
        store.Sync();

        // act
        await store.DisposeAsync();

        // assert
        Assert.Throws<ObjectDisposedException>(store.Sync);
        Assert.False(WalOpen(store));
    }

    [Fact]
    public async Task Without_syncSeparately_the_sync_should_do_nothing()
    {
        // arrange
        var store = Store(syncSeparately: false);
        await using var _ = store;
        await store.InsertAsync([Rows(("a", 1))], CancellationToken.None);

        // act
        var failure = Record.Exception(store.Sync);

        // assert
        Assert.False(store.SyncsSeparately);
        Assert.Null(failure);
        Assert.False(WalOpen(store));
        Assert.Equal(1, Count());
    }

    private SqliteJournalStore Store(bool syncSeparately)
    {
        var table = new JournalTableConfig(SqlPersistence.DefaultConfiguration.GetConfig("akka.persistence.journal.sql"));
        return new SqliteJournalStore(_connectionString, JournalTable.InsertSql(table, "0", i => $"$p{i}"), Guid.NewGuid().ToString("N"),
            Pragmas, syncSeparately);
    }

    private static JournalInsert[] Rows(params (string PersistenceId, long SequenceNr)[] rows) =>
        [.. rows.Select(r => new JournalInsert(r.PersistenceId, r.SequenceNr, DateTime.UtcNow.Ticks, "", [1, 2, 3], SerializerId: 1))];

    /// <summary>
    /// Whether the store holds the WAL file open for its fsync: the one trace a sync leaves that tells a sync that fsynced
    /// the WAL from one that returned early.
    /// </summary>
    private static bool WalOpen(SqliteJournalStore store) =>
        typeof(SqliteJournalStore).GetField("_wal", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(store) is FileStream;

    /// <summary>The journal's rows (of <paramref name="persistenceId"/>), read through a connection of the test's.</summary>
    private long Count(string? persistenceId = null)
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """SELECT count(*) FROM "journal" WHERE $id IS NULL OR "persistence_id" = $id""";
        command.Parameters.AddWithValue("$id", (object?)persistenceId ?? DBNull.Value);
        return (long)command.ExecuteScalar()!;
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
