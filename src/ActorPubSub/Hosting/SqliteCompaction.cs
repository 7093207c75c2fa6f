using Microsoft.Data.Sqlite;

namespace ActorPubSub.Hosting;

/// <summary>
/// Gives a SQLite database's free space back to the file system: <c>PRAGMA incremental_vacuum</c> moves free pages to
/// the end of the file and cuts them off, and <c>PRAGMA wal_checkpoint(TRUNCATE)</c> copies the write-ahead log into the
/// database (which is where the cut takes effect in WAL mode) and empties it. Blocking calls: run off actor threads.
/// </summary>
/// <remarks>
/// Runs beside the journal's own connections. Each vacuum step is one short write transaction of at most
/// <see cref="StepBytes"/>, so a journal write waits for one step, not for the whole reclaim. The connection waits at
/// most <see cref="BusyTimeout"/> for the journal's lock (the journal's connections wait 30 s): a TRUNCATE checkpoint
/// holds off new writers while it waits for readers, and the compactor, not the journal, is the one that can wait; a
/// step that gives up is tried again at the next interval.
/// </remarks>
internal sealed class SqliteCompaction(string databaseFile, SqliteSynchronous synchronous, long minFreeBytes)
{
    /// <summary>At most this much is moved and cut off per write transaction.</summary>
    public const long StepBytes = 8L << 20;

    /// <summary>How long a step waits for the database lock before it gives up until the next interval.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(2);

    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = databaseFile,
        // A connection of its own, not one of the journal's pool: its busy timeout differs from theirs.
        Pooling = false,
    }.ToString();

    public string DatabaseFile { get; } = databaseFile;

    /// <summary>Reclaims free pages (when at least the minimal free space) and truncates the WAL (when it holds that much).</summary>
    public CompactionResult Run(CancellationToken cancellationToken = default)
    {
        var dbBefore = FileLength(DatabaseFile);
        var walBefore = FileLength(DatabaseFile + "-wal");
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, SqliteConnectionSetup.Pragmas(synchronous, BusyTimeout));

        var autoVacuum = (SqliteAutoVacuum)Scalar(connection, "PRAGMA auto_vacuum;");
        var pageSize = Scalar(connection, "PRAGMA page_size;");
        var freeBefore = Scalar(connection, "PRAGMA freelist_count;");
        var free = freeBefore;
        var vacuumed = false;
        if (autoVacuum == SqliteAutoVacuum.Incremental && free * pageSize >= Math.Max(minFreeBytes, 1))
        {
            var step = Math.Max(1, StepBytes / pageSize);
            while (free > 0 && !cancellationToken.IsCancellationRequested)
            {
                Execute(connection, $"PRAGMA incremental_vacuum({step});");
                var left = Scalar(connection, "PRAGMA freelist_count;");
                if (left >= free) break;   // nothing more moved (should not happen; never loop on it)
                free = left;
            }
            vacuumed = true;
        }

        bool? checkpointed = null;
        if (vacuumed || walBefore >= Math.Max(minFreeBytes, 1))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            using var reader = command.ExecuteReader();
            // one row: busy (1 when readers or a writer kept it from finishing), WAL frames, frames checkpointed
            checkpointed = reader.Read() && reader.GetInt64(0) == 0;
        }

        return new CompactionResult(autoVacuum, (freeBefore - free) * pageSize, free * pageSize, checkpointed,
            dbBefore, FileLength(DatabaseFile), walBefore, FileLength(DatabaseFile + "-wal"));
    }

    private static long FileLength(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>SQLite's <c>PRAGMA auto_vacuum</c> modes.</summary>
internal enum SqliteAutoVacuum
{
    /// <summary>Free pages stay in the file (reused by later writes); only <c>VACUUM</c> shrinks it.</summary>
    None = 0,
    Full = 1,
    /// <summary>Free pages are tracked so <c>PRAGMA incremental_vacuum</c> can cut them off: what ActorPubSub creates.</summary>
    Incremental = 2,
}

/// <summary>
/// What one compaction did: bytes reclaimed, what is still free, whether the WAL was truncated (null: not tried, it was
/// small), and the file sizes before and after.
/// </summary>
internal sealed record CompactionResult(
    SqliteAutoVacuum AutoVacuum,
    long ReclaimedBytes,
    long FreeBytesLeft,
    bool? WalTruncated,
    long DatabaseBytesBefore,
    long DatabaseBytesAfter,
    long WalBytesBefore,
    long WalBytesAfter)
{
    public bool ChangedAnything => DatabaseBytesAfter != DatabaseBytesBefore || WalBytesAfter != WalBytesBefore || ReclaimedBytes > 0;
}
