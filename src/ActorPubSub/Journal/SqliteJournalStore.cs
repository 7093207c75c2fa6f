using Microsoft.Data.Sqlite;

namespace ActorPubSub.Journal;

/// <summary>
/// Inserts journal rows into SQLite through one connection kept open and one prepared INSERT, executed per row inside
/// a single transaction (one fsync per group commit). SQLite admits one writer at a time, so one connection is all a
/// writer can use; the statement is compiled once, not rebuilt per batch.
/// </summary>
/// <remarks>
/// After any failure the connection is closed and opened again at the next write: a half-done transaction is rolled
/// back with it, and a file that was replaced or unlocked meanwhile is seen afresh.
/// </remarks>
/// <param name="pragmas">Run on the connection when it opens (busy timeout, synchronous level).</param>
/// <param name="syncSeparately">
/// The connection commits with <c>synchronous = NORMAL</c> (its pragmas say so) and <see cref="Sync"/> fsyncs the WAL file,
/// which is what <c>synchronous = FULL</c> does inside each commit: the commit is written (readable, and it outlives a
/// crash of the process) before it is durable, and the next commit runs while the fsync of the last one does.
/// </param>
internal sealed class SqliteJournalStore(string connectionString, string insertSql, string? writerUuid, string pragmas, bool syncSeparately = false)
    : IJournalStore
{
    private readonly Lock _gate = new();
    private readonly Lock _syncGate = new();
    private FileStream? _wal;                // the WAL file, for Sync; opened at the first Sync after a connection opened
    private string? _walPath;                // set when the first connection opened
    private SqliteConnection? _connection;
    private SqliteCommand? _insert;
    private SqliteParameter[] _parameters = [];
    private volatile bool _disposed;

    public bool SyncsSeparately => syncSeparately;

    public Task InsertAsync(IReadOnlyList<IReadOnlyList<JournalInsert>> writes, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                var insert = _insert ?? Open();
                using var transaction = _connection!.BeginTransaction();   // BEGIN IMMEDIATE: the write lock up front
                insert.Transaction = transaction;
                foreach (var rows in writes)
                    foreach (var row in rows)
                    {
                        _parameters[0].Value = row.PersistenceId;
                        _parameters[1].Value = row.SequenceNr;
                        _parameters[2].Value = row.Created;
                        _parameters[3].Value = row.Manifest;
                        _parameters[4].Value = row.Message;
                        _parameters[5].Value = row.SerializerId;
                        insert.ExecuteNonQuery();
                    }
                transaction.Commit();
                insert.Transaction = null;
            }
            catch
            {
                Close();
                throw;
            }
        }
        return Task.CompletedTask;
    }

    private SqliteCommand Open()
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using (var setup = connection.CreateCommand())
            {
                setup.CommandText = pragmas;
                setup.ExecuteNonQuery();
            }
            var insert = connection.CreateCommand();
            insert.CommandText = insertSql;
            // $p6 (the writer uuid) is in the statement only when the table has the column; its value never changes.
            var used = insertSql.Contains("$p6", StringComparison.Ordinal) ? 7 : 6;
            _parameters = [.. Enumerable.Range(0, used).Select(i => insert.Parameters.Add(new SqliteParameter($"$p{i}", null)))];
            if (used == 7) _parameters[6].Value = (object?)writerUuid ?? DBNull.Value;
            insert.Prepare();
            (_connection, _insert) = (connection, insert);
            lock (_syncGate)
            {
                _walPath = connection.DataSource + "-wal";
                // A handle opened while no connection was open may name a WAL that SQLite has since checkpointed and
                // deleted (the last connection closed); this connection's commits go to the file at the path now.
                _wal?.Dispose();
                _wal = null;
            }
            return insert;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Sync()
    {
        if (!syncSeparately) return;
        lock (_syncGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_wal is null)
            {
                if (_walPath is not { } path) return;   // nothing was ever committed
                try
                {
                    // Write access only because .NET flushes to disk only a stream it may write; nothing is written.
                    _wal = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1);
                }
                catch (FileNotFoundException)
                {
                    // SQLite removes the WAL only after a checkpoint moved (and synced) all of it into the database file.
                    return;
                }
                // A WAL created since the last sync (at the first write, or after the last connection closed) is a new
                // directory entry: without this, a machine crash could lose the file with every commit in it.
                DirectorySync.Sync(Path.GetDirectoryName(Path.GetFullPath(path))!);
            }
            _wal.Flush(flushToDisk: true);
        }
    }

    private void Close()
    {
        _insert?.Dispose();
        _connection?.Dispose();
        (_connection, _insert) = (null, null);
        lock (_syncGate)
        {
            // Closing the last connection may remove the WAL (after a checkpoint that synced it); the next Sync opens
            // whatever WAL is there then, which holds every commit not yet checkpointed, this connection's included.
            _wal?.Dispose();
            _wal = null;
        }
    }

    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposed = true;
            Close();
        }
        return ValueTask.CompletedTask;
    }
}
