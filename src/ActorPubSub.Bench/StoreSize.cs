using System.Diagnostics;
using Npgsql;

namespace ActorPubSub.Bench;

/// <summary>
/// The size of the journal's store on disk, sampled every 100 ms while a run lasts (the peak) and measured on
/// demand: for SQLite the database file with its -wal and -shm files; for PostgreSQL every table of the
/// database with its indexes and TOAST (<c>pg_total_relation_size</c>), which is only the store's when the
/// database is the run's own (<see cref="ScratchDatabase"/>).
/// </summary>
internal sealed class StoreSize : IAsyncDisposable
{
    private const string PostgresTables = """
        SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
        """;

    private readonly string? _sqliteFile;
    private readonly string? _postgres;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _peak;

    private StoreSize(string? sqliteFile, string? postgres)
    {
        (_sqliteFile, _postgres) = (sqliteFile, postgres);
        _sampling = SampleAsync();
    }

    public static StoreSize Sqlite(string file) => new(file, null);

    public static StoreSize Postgres(string connectionString) => new(null, connectionString);

    /// <summary>The largest size sampled so far, in MB.</summary>
    public double PeakMb => Mb(Interlocked.Read(ref _peak));

    /// <summary>
    /// Waits until the store stops giving space back (no smaller size for 5 s), at most <paramref name="limit"/>:
    /// the size then in MB and how long it waited.
    /// </summary>
    public async Task<(double Mb, TimeSpan Waited)> SettledAsync(TimeSpan limit)
    {
        var sw = Stopwatch.StartNew();
        var smallest = await MeasureAsync();
        var since = sw.Elapsed;
        // Quiet for 25 s: a drained topic's last snapshot (and the journal delete after it) comes within two housekeeping
        // rounds (about 10 s) once it went quiet, and the SQLite compactor runs every 10 s after that.
        while (sw.Elapsed - since < TimeSpan.FromSeconds(25) && sw.Elapsed < limit)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var size = await MeasureAsync();
            if (size < smallest) (smallest, since) = (size, sw.Elapsed);
        }
        return (Mb(smallest), sw.Elapsed);
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        do
        {
            try
            {
                var size = await MeasureAsync();
                if (size > Interlocked.Read(ref _peak)) Interlocked.Exchange(ref _peak, size);
            }
            catch (Exception e) when (e is NpgsqlException or IOException)
            {
                // a sample missed (database busy, a file replaced under us): the next one counts
            }
        } while (await NextAsync(timer));
    }

    private async Task<bool> NextAsync(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<long> MeasureAsync()
    {
        if (_sqliteFile is { } file)
            return new[] { file, file + "-wal", file + "-shm" }.Select(f => new FileInfo(f)).Where(f => f.Exists).Sum(f => f.Length);
        await using var connection = new NpgsqlConnection(_postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(PostgresTables, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static double Mb(long bytes) => Math.Round(bytes / (1024.0 * 1024.0), 1);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }
}
