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
/// </remarks>
internal sealed class JournalWriteQueue : IAsyncDisposable
{
    private sealed class Entry(IReadOnlyList<JournalInsert> rows, CancellationToken cancellation)
    {
        public IReadOnlyList<JournalInsert> Rows { get; } = rows;
        public CancellationToken Cancellation { get; } = cancellation;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly IJournalStore _store;
    private readonly int _batchRows;
    private readonly int _capacity;
    private readonly Channel<Entry> _queue = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = false });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _workers;
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
    }

    /// <summary>Queues one atomic write; the task completes when its rows are committed, or fails when they are not.</summary>
    /// <param name="cancellation">
    /// Cancelled when the caller gives up (the journal's circuit breaker timed the write out): a write still queued then
    /// is dropped, not committed after its failure was reported. Once in a transaction it runs to its end.
    /// </param>
    public Task WriteAsync(IReadOnlyList<JournalInsert> rows, CancellationToken cancellation)
    {
        if (Interlocked.Increment(ref _waiting) > _capacity)
        {
            Interlocked.Decrement(ref _waiting);
            return Task.FromException(new InvalidOperationException(
                $"The journal's write queue is full: {_capacity} writes are waiting for the database (the journal's buffer-size)."));
        }
        var entry = new Entry(rows, cancellation);
        if (!_queue.Writer.TryWrite(entry))
        {
            Interlocked.Decrement(ref _waiting);
            return Task.FromException(new ObjectDisposedException(nameof(JournalWriteQueue), "The journal is stopping."));
        }
        return entry.Done.Task;
    }

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
                        entry.Done.TrySetCanceled(entry.Cancellation);
                        continue;
                    }
                    batch.Add(entry);
                    count += entry.Rows.Count;
                }
                if (batch.Count == 0) continue;
                await CommitAsync(batch, rows, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var entry in batch) entry.Done.TrySetException(new ObjectDisposedException(nameof(JournalWriteQueue), "The journal stopped."));
        }
    }

    private async Task CommitAsync(List<Entry> batch, List<IReadOnlyList<JournalInsert>> rows, CancellationToken ct)
    {
        rows.Clear();
        foreach (var entry in batch) rows.Add(entry.Rows);
        try
        {
            await _store.InsertAsync(rows, ct);
            foreach (var entry in batch) entry.Done.TrySetResult();
            return;
        }
        catch (Exception e) when (batch.Count == 1 || ct.IsCancellationRequested)
        {
            foreach (var entry in batch) entry.Done.TrySetException(e);
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
                entry.Done.TrySetCanceled(entry.Cancellation);
                continue;
            }
            try
            {
                await _store.InsertAsync([entry.Rows], ct);
                entry.Done.TrySetResult();
            }
            catch (Exception e)
            {
                entry.Done.TrySetException(e);
            }
        }
    }

    /// <summary>Stops the workers; writes still queued or in a transaction fail (nothing is acknowledged that was not committed).</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        try { await Task.WhenAll(_workers); } catch (OperationCanceledException) { }
        while (_queue.Reader.TryRead(out var entry))
            entry.Done.TrySetException(new ObjectDisposedException(nameof(JournalWriteQueue), "The journal stopped."));
        await _store.DisposeAsync();
        _stopping.Dispose();
    }
}
