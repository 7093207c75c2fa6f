using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using Microsoft.Data.Sqlite;

namespace ActorPubSub.Tests.Hosting;

/// <summary>
/// The SQLite store gives space back: new files get auto_vacuum = INCREMENTAL (old ones keep their mode), and the
/// compactor shrinks the .db and -wal files once the journal deleted what a drained backlog held.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SqliteCompactionSpec : IDisposable
{
    private const int EventBytes = 256 * 1024;
    private const int Events = 100;   // 25 MiB of journal

    private readonly TempDatabase _db = new();

    [Fact]
    public void A_new_database_should_get_incremental_auto_vacuum_and_WAL()
    {
        // act
        PubSubStorage.PrepareFile(ConnectionString());

        // assert
        Assert.Equal(2L, Scalar("PRAGMA auto_vacuum;"));   // INCREMENTAL
        Assert.Equal("wal", Scalar("PRAGMA journal_mode;"));
    }

    [Fact]
    public void An_existing_database_should_keep_its_auto_vacuum_mode()
    {
        // arrange: a database from before, with a table and auto_vacuum NONE
        Execute("CREATE TABLE old (id INTEGER PRIMARY KEY, data BLOB);");

        // act
        PubSubStorage.PrepareFile(ConnectionString());

        // assert
        Assert.Equal(0L, Scalar("PRAGMA auto_vacuum;"));
        Assert.Equal("wal", Scalar("PRAGMA journal_mode;"));
    }

    [Fact]
    public void Compaction_should_cut_off_the_free_pages_of_deleted_rows_and_truncate_the_WAL()
    {
        // arrange
        PubSubStorage.PrepareFile(ConnectionString());
        FillAndDelete();
        var peak = Size();

        // act
        var result = new SqliteCompaction(_db.File, SqliteSynchronous.Full, minFreeBytes: 1 << 20).Run();

        // assert
        Assert.Equal(SqliteAutoVacuum.Incremental, result.AutoVacuum);
        Assert.True(result.ReclaimedBytes >= Events * EventBytes * 9L / 10, $"reclaimed {result.ReclaimedBytes} bytes");
        Assert.Equal(0, result.FreeBytesLeft);
        Assert.True(result.WalTruncated);
        Assert.Equal(0, WalLength());
        Assert.True(Size() < peak / 10, $"{Size()} bytes after compaction, {peak} before");
    }

    [Fact]
    public void Compaction_should_leave_less_free_space_than_the_minimum_alone()
    {
        // arrange
        PubSubStorage.PrepareFile(ConnectionString());
        FillAndDelete();

        // act
        var result = new SqliteCompaction(_db.File, SqliteSynchronous.Full, minFreeBytes: 1L << 40).Run();

        // assert
        Assert.Equal(0, result.ReclaimedBytes);
        Assert.True(result.FreeBytesLeft >= Events * EventBytes * 9L / 10, $"{result.FreeBytesLeft} bytes free");
    }

    [Fact]
    public void Compaction_should_only_truncate_the_WAL_of_a_database_without_incremental_auto_vacuum()
    {
        // arrange
        Execute("CREATE TABLE old (id INTEGER PRIMARY KEY, data BLOB);");
        PubSubStorage.PrepareFile(ConnectionString());
        FillAndDelete();
        var dbBefore = new FileInfo(_db.File).Length;

        // act
        var result = new SqliteCompaction(_db.File, SqliteSynchronous.Full, minFreeBytes: 1 << 20).Run();

        // assert
        Assert.Equal(SqliteAutoVacuum.None, result.AutoVacuum);
        Assert.Equal(0, result.ReclaimedBytes);
        Assert.True(new FileInfo(_db.File).Length >= dbBefore);
        Assert.Equal(0, WalLength());
    }

    [Fact]
    public void Settings_should_default_to_every_10_s_above_4_MiB_and_0_should_turn_compaction_off()
    {
        var defaults = SqliteCompactionSettings.Create(PubSubConfig.Default.GetConfig("actorpubsub"));
        var off = SqliteCompactionSettings.Create(ConfigurationFactory.ParseString("actorpubsub.sqlite.compact-interval = 0s")
            .WithFallback(PubSubConfig.Default).GetConfig("actorpubsub"));

        Assert.Equal(new SqliteCompactionSettings(TimeSpan.FromSeconds(10), 4L << 20), defaults);
        Assert.True(defaults.Enabled);
        Assert.False(off.Enabled);
    }

    [Fact]
    public async Task A_node_should_shrink_its_SQLite_files_after_the_journal_deleted_a_backlog()
    {
        // arrange: a node on a new SQLite file that compacts often, and a persistent actor on its journal
        await using var node = await PubSubNode.StartAsync(new PubSubOptions
        {
            SqliteFile = _db.File,
            ExtraHocon = "actorpubsub.sqlite.compact-interval = 200ms",
        });
        Assert.Equal(2L, Scalar("PRAGMA auto_vacuum;"));
        var actor = node.System.ActorOf(Props.Create(() => new BigEventActor()), "big-events");
        for (var i = 0; i < Events; i++)
            await actor.Ask<long>(Noise(), TimeSpan.FromSeconds(30));
        var peak = Size();
        Assert.True(peak >= Events * EventBytes, $"peak {peak} bytes");

        // act: the journal deletes every event (the way a topic deletes an acknowledged backlog)
        var deleted = await actor.Ask<object>(BigEventActor.DeleteAll.Instance, TimeSpan.FromSeconds(30));
        Assert.IsType<DeleteMessagesSuccess>(deleted);

        // assert: the compactor gave the space back, in the .db and in the -wal file
        await Eventually.HoldsAsync(() => Task.FromResult(Size()), size => size < peak / 10,
            $"the .db and -wal files hold less than a tenth of the peak {peak} bytes", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Compaction_should_run_beside_journal_writes_and_deletes_without_losing_an_event()
    {
        // arrange: a node that compacts as often as it can, and a writer that persists and deletes meanwhile
        await using var node = await PubSubNode.StartAsync(new PubSubOptions
        {
            SqliteFile = _db.File,
            ExtraHocon = "actorpubsub.sqlite.compact-interval = 50ms\nactorpubsub.sqlite.compact-min-free = 64 KiB",
        });
        var written = new Dictionary<long, string>();
        var writer = node.System.ActorOf(Props.Create(() => new BigEventActor()), "writer-1");

        // act: 150 events of 64 KiB; after every 30th, the journal deletes all but the newest 10
        for (var i = 1; i <= 150; i++)
        {
            var data = Noise(64 * 1024);
            var sequenceNr = await writer.Ask<long>(data, TimeSpan.FromSeconds(30));
            written[sequenceNr] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(data));
            if (i % 30 == 0)
                Assert.IsType<DeleteMessagesSuccess>(await writer.Ask<object>(new BigEventActor.DeleteUpTo(sequenceNr - 10), TimeSpan.FromSeconds(30)));
        }
        await Eventually.HoldsAsync(() => Task.FromResult(Size()), size => size < 3 * 1024 * 1024,
            "the .db and -wal files are below 3 MiB (150 x 64 KiB written, the newest 10 kept)", TimeSpan.FromSeconds(30));
        await writer.GracefulStop(TimeSpan.FromSeconds(10));
        var recovered = await node.System.ActorOf(Props.Create(() => new BigEventActor()), "writer-2")
            .Ask<IReadOnlyDictionary<long, string>>(BigEventActor.GetRecovered.Instance, TimeSpan.FromSeconds(30));

        // assert: exactly the events not deleted, byte for byte, and a sound file
        Assert.Equal(written.Where(w => w.Key > 140).OrderBy(w => w.Key), recovered.OrderBy(r => r.Key));
        Assert.Equal("ok", Scalar("PRAGMA integrity_check;"));
    }

    [Fact]
    public async Task A_node_on_an_old_database_should_say_how_to_convert_it_and_leave_it_as_is()
    {
        // arrange: a database created before auto_vacuum was set (a table, mode NONE)
        Execute("CREATE TABLE old (id INTEGER PRIMARY KEY, data BLOB);");
        var warning = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        // act
        await using var node = await PubSubNode.StartAsync(new PubSubOptions
        {
            SqliteFile = _db.File,
            ExtraHocon = "actorpubsub.sqlite.compact-interval = 200ms",
        });
        var listener = node.System.ActorOf(Props.Create(() => new WarningListener(warning)));
        node.System.EventStream.Subscribe(listener, typeof(Akka.Event.Warning));

        // assert
        var line = await warning.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("auto_vacuum = NONE", line, StringComparison.Ordinal);
        Assert.Contains("PRAGMA auto_vacuum = INCREMENTAL; VACUUM;", line, StringComparison.Ordinal);
        Assert.Equal(0L, Scalar("PRAGMA auto_vacuum;"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _db.Dispose();
    }

    // each event its own random bytes: nothing shared, nothing compressible
    private static byte[] Noise(int length = EventBytes)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    // the -wal file is gone once the last connection closed (SQLite checkpoints and deletes it then): empty too
    private long WalLength() => File.Exists(_db.File + "-wal") ? new FileInfo(_db.File + "-wal").Length : 0;

    private long Size() => new[] { _db.File, _db.File + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);

    private string ConnectionString() => new SqliteConnectionStringBuilder { DataSource = _db.File, Pooling = false }.ToString();

    private void FillAndDelete()
    {
        Execute("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, data BLOB);");
        for (var i = 0; i < Events; i++)
        {
            using var connection = new SqliteConnection(ConnectionString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO rows (data) VALUES ($data);";
            command.Parameters.AddWithValue("$data", Noise());
            command.ExecuteNonQuery();
        }
        Execute("DELETE FROM rows;");
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection(ConnectionString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var connection = new SqliteConnection(ConnectionString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>Completes with the first warning that mentions auto_vacuum.</summary>
    private sealed class WarningListener : ReceiveActor
    {
        public WarningListener(TaskCompletionSource<string> warning) =>
            Receive<Akka.Event.Warning>(w =>
            {
                var text = w.Message?.ToString() ?? "";
                if (text.Contains("auto_vacuum", StringComparison.Ordinal)) warning.TrySetResult(text);
            });
    }

    /// <summary>
    /// Persists each byte array it is sent as one event (answering its sequence number); deletes on
    /// <see cref="DeleteAll"/> and <see cref="DeleteUpTo"/>; tells what it recovered (sequence number → SHA-256).
    /// </summary>
    private sealed class BigEventActor : ReceivePersistentActor
    {
        public sealed class DeleteAll
        {
            public static readonly DeleteAll Instance = new();
            private DeleteAll() { }
        }

        public sealed record DeleteUpTo(long SequenceNr);

        public sealed class GetRecovered
        {
            public static readonly GetRecovered Instance = new();
            private GetRecovered() { }
        }

        private readonly Dictionary<long, string> _recovered = [];
        private IActorRef _deleteRequester = ActorRefs.Nobody;

        public BigEventActor()
        {
            JournalPluginId = "akka.persistence.journal." + PubSubHostingExtensions.PersistencePluginId;
            SnapshotPluginId = "akka.persistence.snapshot-store." + PubSubHostingExtensions.PersistencePluginId;
            Recover<byte[]>(data => _recovered[LastSequenceNr] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(data)));
            Command<GetRecovered>(_ => Sender.Tell((IReadOnlyDictionary<long, string>)_recovered.ToDictionary()));
            Command<DeleteUpTo>(m =>
            {
                _deleteRequester = Sender;
                DeleteMessages(m.SequenceNr);
            });
            Command<byte[]>(data =>
            {
                var sender = Sender;
                Persist(data, _ => sender.Tell(LastSequenceNr));
            });
            Command<DeleteAll>(_ =>
            {
                _deleteRequester = Sender;
                DeleteMessages(LastSequenceNr);
            });
            Command<DeleteMessagesSuccess>(m => _deleteRequester.Tell(m));
            Command<DeleteMessagesFailure>(m => _deleteRequester.Tell(m));
        }

        public override string PersistenceId => "sqlite-compaction-spec";
    }
}
