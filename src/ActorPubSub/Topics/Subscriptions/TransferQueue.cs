namespace ActorPubSub.Topics.Subscriptions;

/// <summary>
/// A subscription's dead-letter transfers not yet confirmed by its store, in ascending transfer numbers, and
/// the numbering: the last number handed out and the last one known to be in the journal.
/// </summary>
internal sealed class TransferQueue
{
    private readonly List<DeadLetterTransfer> _transfers = [];
    private readonly HashSet<long> _sequences = [];

    /// <summary>The last transfer number handed out.</summary>
    public long LastId { get; private set; }

    /// <summary>Transfers up to this number are in the journal (only those are sent to the store).</summary>
    public long PersistedId { get; private set; }

    public IReadOnlyList<DeadLetterTransfer> Pending => _transfers;

    /// <summary>True while the message is on its way to the store.</summary>
    public bool Contains(long sequence) => _sequences.Count > 0 && _sequences.Contains(sequence);

    /// <summary>Queues a transfer; false for one already applied (a replay after a snapshot that had it).</summary>
    public bool TryAdd(DeadLetterTransfer transfer)
    {
        if (transfer.Id <= LastId) return false;
        LastId = transfer.Id;
        _transfers.Add(transfer);
        _sequences.Add(transfer.Sequence);
        return true;
    }

    public void MarkPersisted(long upToId) => PersistedId = Math.Max(PersistedId, upToId);

    /// <summary>Restores the numbering from a snapshot (every transfer in it is in the journal).</summary>
    public void RestoreIds(long lastId)
    {
        LastId = Math.Max(LastId, lastId);
        PersistedId = LastId;
    }

    /// <summary>Removes the transfers up to <paramref name="upToId"/>; returns their sequences, oldest first.</summary>
    public List<long> Confirm(long upToId)
    {
        var confirmed = new List<long>();
        while (_transfers.Count > 0 && _transfers[0].Id <= upToId)
        {
            var sequence = _transfers[0].Sequence;
            _transfers.RemoveAt(0);
            _sequences.Remove(sequence);
            confirmed.Add(sequence);
        }
        return confirmed;
    }

    /// <summary>Takes a message back (a redrive); false when it was not on its way.</summary>
    public bool Remove(long sequence)
    {
        if (!_sequences.Remove(sequence)) return false;
        _transfers.RemoveAll(t => t.Sequence == sequence);
        return true;
    }
}
