using System.Collections.Concurrent;
using ActorPubSub.Journal;

namespace ActorPubSub.Tests.Journal;

/// <summary>
/// The two stages of <see cref="JournalWriteQueue"/>'s writes with a store that syncs separately: a write is written
/// when its commit returns and synced only by a sync that began after that; a failed sync fails the writes it was for;
/// stopping the queue lets committed writes get their sync before the store closes. With a store whose commits are
/// durable, both stages complete together and the queue never syncs. The store is a test double whose sync the test
/// holds, counts and fails.
/// </summary>
public sealed class JournalWriteQueueSyncSpec
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_write_should_be_written_while_its_sync_is_held_and_synced_only_when_the_sync_returns()
    {
        // arrange
        var store = new FakeStore { HoldSyncs = true };
        await using var queue = Queue(store);

        // act
        var write = queue.Write(Rows("a", 1), CancellationToken.None);
        await write.Written.WaitAsync(Wait);
        await store.SyncEnteredAsync();

        // assert: written, not synced while the sync runs; synced once it returns
        Assert.True(write.Written.IsCompletedSuccessfully);
        Assert.False(write.Synced.IsCompleted);
        store.ReleaseSync();
        await write.Synced.WaitAsync(Wait);
        Assert.Equal(1, store.Syncs);
    }

    [Fact]
    public async Task A_write_committed_while_a_sync_runs_should_wait_for_the_next_sync()
    {
        // arrange: the first write's sync is running (held)
        var store = new FakeStore { HoldSyncs = true };
        await using var queue = Queue(store);
        var first = queue.Write(Rows("a", 1), CancellationToken.None);
        await first.Written.WaitAsync(Wait);
        await store.SyncEnteredAsync();

        // act: a second write commits meanwhile, then the first sync returns
        var second = queue.Write(Rows("b", 1), CancellationToken.None);
        await second.Written.WaitAsync(Wait);
        store.ReleaseSync();
        await first.Synced.WaitAsync(Wait);

        // assert: the first sync synced the first write only; the second waits for (and gets) a sync of its own
        await store.SyncEnteredAsync();
        Assert.False(second.Synced.IsCompleted);
        Assert.Equal(2, store.Syncs);
        store.ReleaseSync();
        await second.Synced.WaitAsync(Wait);
        Assert.Equal(2, store.Syncs);
    }

    [Fact]
    public async Task A_failed_sync_should_fail_the_writes_it_was_for_and_a_later_write_should_be_synced_by_the_next()
    {
        // arrange: the next sync fails
        var store = new FakeStore();
        store.FailNextSync(new IOException("the disk refused"));
        await using var queue = Queue(store);

        // act
        var failed = queue.Write(Rows("a", 1), CancellationToken.None);
        var reason = await Assert.ThrowsAsync<IOException>(() => failed.Synced.WaitAsync(Wait));
        var later = queue.Write(Rows("b", 1), CancellationToken.None);
        await later.Synced.WaitAsync(Wait);

        // assert: the first write was written (committed) but not synced; the later one is synced by a second sync
        Assert.Equal("the disk refused", reason.Message);
        Assert.True(failed.Written.IsCompletedSuccessfully);
        Assert.True(later.Written.IsCompletedSuccessfully);
        Assert.Equal(2, store.Syncs);
    }

    [Fact]
    public async Task With_a_store_that_does_not_sync_separately_written_and_synced_should_complete_together_without_a_sync()
    {
        // arrange: the commit is held, so neither stage can complete before it returns
        var store = new FakeStore(syncsSeparately: false) { HoldInserts = true };
        var queue = Queue(store);
        var write = queue.Write(Rows("a", 1), CancellationToken.None);
        await store.InsertEnteredAsync();
        Assert.False(write.Written.IsCompleted);
        Assert.False(write.Synced.IsCompleted);

        // act
        store.ReleaseInsert();
        await write.Synced.WaitAsync(Wait);
        await queue.DisposeAsync();

        // assert: both stages done at once (Written is set first), and the store was never asked to sync
        Assert.False(queue.SyncsSeparately);
        Assert.True(write.Written.IsCompletedSuccessfully);
        Assert.True(write.Synced.IsCompletedSuccessfully);
        Assert.Equal(0, store.Syncs);
        Assert.Equal(["insert", "dispose"], store.Calls);
    }

    [Fact]
    public async Task Disposing_should_let_a_written_write_get_its_sync_before_the_store_is_disposed()
    {
        // arrange: a write is written, its sync held
        var store = new FakeStore { HoldSyncs = true };
        var queue = Queue(store);
        var write = queue.Write(Rows("a", 1), CancellationToken.None);
        await write.Written.WaitAsync(Wait);
        await store.SyncEnteredAsync();
        var syncedWhenTheStoreWasDisposed = false;
        store.Disposing = () => syncedWhenTheStoreWasDisposed = write.Synced.IsCompletedSuccessfully;

        // act: the queue stops while the sync runs; the sync then returns
        var disposing = queue.DisposeAsync().AsTask();
        Assert.False(store.Disposed);
        store.ReleaseSync();
        await disposing.WaitAsync(Wait);

        // assert: the write is synced, and was before the store closed
        await write.Synced.WaitAsync(Wait);
        Assert.True(syncedWhenTheStoreWasDisposed);
        Assert.Equal(["insert", "sync", "synced", "dispose"], store.Calls);
    }

    private static JournalWriteQueue Queue(FakeStore store) => new(store, batchRows: 100, parallelism: 1, capacity: 100);

    private static JournalInsert[] Rows(string persistenceId, long sequenceNr) =>
        [new JournalInsert(persistenceId, sequenceNr, DateTime.UtcNow.Ticks, "", [1, 2, 3], SerializerId: 1)];

    /// <summary>
    /// A store that commits at once (or when the test releases a held insert) and syncs when the test releases a held
    /// sync; it signals each call it enters, counts the syncs, fails the next sync on demand and records its calls in order.
    /// </summary>
    private sealed class FakeStore(bool syncsSeparately = true) : IJournalStore
    {
        private readonly SemaphoreSlim _syncEntered = new(0);
        private readonly SemaphoreSlim _syncRelease = new(0);
        private readonly SemaphoreSlim _insertEntered = new(0);
        private readonly SemaphoreSlim _insertRelease = new(0);
        private readonly ConcurrentQueue<string> _calls = new();
        private Exception? _failNextSync;
        private int _syncs;

        public bool SyncsSeparately => syncsSeparately;

        /// <summary>Each sync waits for <see cref="ReleaseSync"/> before it returns.</summary>
        public bool HoldSyncs { get; init; }

        /// <summary>Each insert waits for <see cref="ReleaseInsert"/> before it commits.</summary>
        public bool HoldInserts { get; init; }

        /// <summary>Called as the store is disposed, before it records the call.</summary>
        public Action? Disposing { get; set; }

        public int Syncs => Volatile.Read(ref _syncs);

        public bool Disposed => _calls.Contains("dispose");

        /// <summary>insert, sync (entered), synced (returned), sync failed, dispose: in the order they happened.</summary>
        public string[] Calls => [.. _calls];

        public void FailNextSync(Exception reason) => Volatile.Write(ref _failNextSync, reason);

        public void ReleaseSync() => _syncRelease.Release();

        public void ReleaseInsert() => _insertRelease.Release();

        public async Task SyncEnteredAsync() => Assert.True(await _syncEntered.WaitAsync(Wait), "no sync began");

        public async Task InsertEnteredAsync() => Assert.True(await _insertEntered.WaitAsync(Wait), "no insert began");

        public async Task InsertAsync(IReadOnlyList<IReadOnlyList<JournalInsert>> writes, CancellationToken ct)
        {
            _insertEntered.Release();
            if (HoldInserts && !await _insertRelease.WaitAsync(Wait, ct)) throw new TimeoutException("the test did not release the insert");
            _calls.Enqueue("insert");
        }

        public void Sync()
        {
            Interlocked.Increment(ref _syncs);
            _calls.Enqueue("sync");
            _syncEntered.Release();
            if (HoldSyncs && !_syncRelease.Wait(Wait)) throw new TimeoutException("the test did not release the sync");
            if (Interlocked.Exchange(ref _failNextSync, null) is { } reason)
            {
                _calls.Enqueue("sync failed");
                throw reason;
            }
            _calls.Enqueue("synced");
        }

        public ValueTask DisposeAsync()
        {
            Disposing?.Invoke();
            _calls.Enqueue("dispose");
            return ValueTask.CompletedTask;
        }
    }
}
