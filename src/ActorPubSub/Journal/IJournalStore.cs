namespace ActorPubSub.Journal;

/// <summary>
/// The database side of <see cref="TopicWriteJournal"/>'s writes: inserts the rows of one or more atomic writes in one
/// transaction (all or none of them). Called by one <see cref="JournalWriteQueue"/> worker at a time per connection.
/// </summary>
internal interface IJournalStore : IAsyncDisposable
{
    /// <summary>
    /// True when <see cref="InsertAsync"/> commits without waiting for the disk and <see cref="Sync"/> makes the commits
    /// durable; false when a commit is durable when it returns (<see cref="Sync"/> then has nothing to do).
    /// </summary>
    bool SyncsSeparately { get; }

    /// <summary>
    /// Inserts every row of <paramref name="writes"/> and commits; throws (nothing committed) on any failure. With
    /// <see cref="SyncsSeparately"/> the commit is written (readable, and it outlives a crash of this process) but not
    /// yet durable against a crash of the machine.
    /// </summary>
    Task InsertAsync(IReadOnlyList<IReadOnlyList<JournalInsert>> writes, CancellationToken ct);

    /// <summary>
    /// Makes every commit <see cref="InsertAsync"/> returned from before this call durable (an fsync); throws when the
    /// disk refused. Called by one thread at a time, possibly while another commit runs.
    /// </summary>
    void Sync();
}
