using System.Threading.Channels;

namespace ActorPubSub.Journal;

/// <summary>
/// Group commit for the journal: atomic writes queue here from every topic, and each of <c>parallelism</c> workers takes
/// whatever has queued (up to <c>batch-size</c> rows) into one transaction. While one transaction commits, the next
/// group gathers, so a busy node commits many topics' writes per fsync and an idle one commits a single write at once.
/// </summary>
/// <remarks>
/// <para>A failed transaction commits nothing. When it held several writes, each is tried again alone, so one topic's
/// bad write (a duplicate sequence number from a fenced copy, say) fails that topic only, not the others it shared a
/// transaction with.</para>
/// <para>The queue holds at most <c>buffer-size</c> writes; beyond that a write fails at once with the reason. Each topic
/// has at most a few writes outstanding, so the bound is reached only when the database stalls.</para>
/// <para>With a store that syncs separately (<see cref="IJournalStore.SyncsSeparately"/>), a write is first written
/// (committed, not yet fsynced) and then synced: one syncer fsyncs for every write committed before it started, while
/// the workers commit the next ones. A write is synced only by an fsync that began after its commit returned.</para>
/// </remarks>
internal sealed class JournalWriteQueue : IAsyncDisposable
{
    private sealed class Entry(IReadOnlyList<JournalInsert> rows, CancellationToken cancellation)
    {
        public IReadOnlyList<JournalInsert> Rows { get; } = rows;
        public CancellationToken Cancellation { get; } = cancellation;
        public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Synced { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public JournalWrite Write => new(Written.Task, Synced.Task);

        public void Fail(Exception e)
        {
            Written.TrySetException(e);
            Synced.TrySetException(e);
        }

        public void Cancel()
        {
            Written.TrySetCanceled(Cancellation);
            Synced.TrySetCanceled(Cancellation);
        }
    }

    private readonly IJournalStore _store;
    private readonly int _batchRows;
    private readonly int _capacity;
    private readonly Channel<Entry> _queue = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = false });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _workers;
    // Committed writes waiting for the syncer, under _syncLock. Monitor.Wait, not a channel's blocking wait: that spins
    // before it sleeps, once per commit, which on a busy small machine is CPU taken from the topics.
    private readonly object _syncLock = new();   // an object, not a Lock: Monitor.Wait and Pulse need a monitor
    private List<Entry> _unsynced = [];
    private bool _syncerStopping;
    private readonly Task _syncer = Task.CompletedTask;
    private int _waiting;

    /// <param name="batchRows">The rows a worker takes into one transaction (it takes at least one write).</param>
    /// <param name="parallelism">Transactions at once (1 for SQLite, which has one writer).</param>
    /// <param name="capacity">Writes that may wait; more fail at once.</param>
    public JournalWriteQueue(IJournalStore store, int batchRows, int parallelism, int capacity)
    {
        _store = store;
        _batchRows = Math.Max(1, batchRows);
        _capacity = Math.Max(1, capacity);
        _workers = [.. Enumerable.Range(0, Math.Max(1, parallelism)).Select(_ => Task.Run(WorkAsync))];
        // The fsync blocks its thread for as long as the disk takes: a thread of its own, not one of the pool's.
        if (store.SyncsSeparately) _syncer = Task.Factory.StartNew(SyncLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>True when a write is written before it is synced (the store syncs separately).</summary>
    public bool SyncsSeparately => _store.SyncsSeparately;

    /// <summary>
    /// Queues one atomic write: its <see cref="JournalWrite.Written"/> completes when its rows are committed, its
    /// <see cref="JournalWrite.Synced"/> when they are durable; both fail when they are not.
    /// </summary>
    /// <param name="cancellation">
    /// Cancelled when the caller gives up (the journal's circuit breaker timed the write out): a write still queued then
    /// is dropped, not committed after its failure was reported. Once in a transaction it runs to its end.
    /// </param>
    public JournalWrite Write(IReadOnlyList<JournalInsert> rows, CancellationToken cancellation)
    {
        if (Interlocked.Increment(ref _waiting) > _capacity)
        {
            Interlocked.Decrement(ref _waiting);
            return JournalWrite.Failed(new InvalidOperationException(
                $"The journal's write queue is full: {_capacity} writes are waiting for the database (the journal's buffer-size)."));
        }
        var entry = new Entry(rows, cancellation);
        if (!_queue.Writer.TryWrite(entry))
        {
            Interlocked.Decrement(ref _waiting);
            return JournalWrite.Failed(new ObjectDisposedException(nameof(JournalWriteQueue), "The journal is stopping."));
        }
        return entry.Write;
    }

    /// <summary>Queues one atomic write; the task completes when its rows are durable (see <see cref="Write"/>).</summary>
    public Task WriteAsync(IReadOnlyList<JournalInsert> rows, CancellationToken cancellation) => Write(rows, cancellation).Synced;

    private async Task WorkAsync()
    {
        var batch = new List<Entry>();
        var rows = new List<IReadOnlyList<JournalInsert>>();
        var ct = _stopping.Token;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(ct))
            {
                batch.Clear();
                var count = 0;
                while (count < _batchRows && _queue.Reader.TryRead(out var entry))
                {
                    Interlocked.Decrement(ref _waiting);
                    if (entry.Cancellation.IsCancellationRequested)
                    {
                        entry.Cancel();
                        continue;
                    }
                    batch.Add(entry);
                    count += entry.Rows.Count;
                }
                if (batch.Count == 0) continue;
                await CommitAsync(batch, rows, ct);
                // Settled (committed or failed): not failed again by a stop below, which would fail a committed write's sync.
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var entry in batch) entry.Fail(new ObjectDisposedException(nameof(JournalWriteQueue), "The journal stopped."));
        }
    }

    private async Task CommitAsync(List<Entry> batch, List<IReadOnlyList<JournalInsert>> rows, CancellationToken ct)
    {
        rows.Clear();
        foreach (var entry in batch) rows.Add(entry.Rows);
        try
        {
            await _store.InsertAsync(rows, ct);
            foreach (var entry in batch) Committed(entry);
            return;
        }
        catch (Exception e) when (batch.Count == 1 || ct.IsCancellationRequested)
        {
            foreach (var entry in batch) entry.Fail(e);
            return;
        }
        catch
        {
            // Several writes in one failed transaction: none of them is committed. Try each alone (below).
        }
        foreach (var entry in batch)
        {
            if (entry.Cancellation.IsCancellationRequested)
            {
                // Its failure is reported already (the breaker gave up on it meanwhile): do not commit it now.
                entry.Cancel();
                continue;
            }
            try
            {
                await _store.InsertAsync([entry.Rows], ct);
                Committed(entry);
            }
            catch (Exception e)
            {
                entry.Fail(e);
            }
        }
    }

    private void Committed(Entry entry)
    {
        if (!_store.SyncsSeparately)
        {
            entry.Written.TrySetResult();
            entry.Synced.TrySetResult();
            return;
        }
        // Written first: whoever hears of the sync (or of its failure) finds the write done. The next commit comes from
        // this worker after this returns, so it reaches the syncer after this one either way.
        entry.Written.TrySetResult();
        lock (_syncLock)
        {
            if (_syncerStopping)
            {
                entry.Synced.TrySetException(new ObjectDisposedException(nameof(JournalWriteQueue), "The journal stopped."));
                return;
            }
            _unsynced.Add(entry);
            if (_unsynced.Count == 1) Monitor.Pulse(_syncLock);
        }
    }

    /// <summary>
    /// The syncer: takes every write committed so far, fsyncs once for all of them, and completes them; writes committed
    /// meanwhile wait for the next fsync. A failed fsync fails the writes it was for (their data may not be on disk).
    /// </summary>
    private void SyncLoop()
    {
        var taken = new List<Entry>();
        while (true)
        {
            lock (_syncLock)
            {
                while (_unsynced.Count == 0 && !_syncerStopping) Monitor.Wait(_syncLock);
                if (_unsynced.Count == 0) return;   // stopping, and nothing left to sync
                (taken, _unsynced) = (_unsynced, taken);
            }
            try
            {
                _store.Sync();
                foreach (var entry in taken) entry.Synced.TrySetResult();
            }
            catch (Exception e)
            {
                foreach (var entry in taken) entry.Synced.TrySetException(e);
            }
            taken.Clear();
        }
    }

    /// <summary>Stops the workers; writes still queued or in a transaction fail (nothing is acknowledged that was not committed).</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        try { await Task.WhenAll(_workers); } catch (OperationCanceledException) { }
        while (_queue.Reader.TryRead(out var entry))
            entry.Fail(new ObjectDisposedException(nameof(JournalWriteQueue), "The journal stopped."));
        // Writes committed before the workers stopped get their fsync (or its failure) before the store closes.
        lock (_syncLock)
        {
            _syncerStopping = true;
            Monitor.Pulse(_syncLock);
        }
        await _syncer;
        await _store.DisposeAsync();
        _stopping.Dispose();
    }
}
