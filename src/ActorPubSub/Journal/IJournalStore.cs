namespace ActorPubSub.Journal;

/// <summary>
/// The database side of <see cref="TopicWriteJournal"/>'s writes: inserts the rows of one or more atomic writes in one
/// transaction (all or none of them). Called by one <see cref="JournalWriteQueue"/> worker at a time per connection.
/// </summary>
internal interface IJournalStore : IAsyncDisposable
{
    /// <summary>Inserts every row of <paramref name="writes"/> and commits; throws (nothing committed) on any failure.</summary>
    Task InsertAsync(IReadOnlyList<IReadOnlyList<JournalInsert>> writes, CancellationToken ct);
}
