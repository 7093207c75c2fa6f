namespace ActorPubSub.Client;

/// <summary>
/// The client-wide bound on durable publishes held in memory (<c>actorpubsub.client.max-outstanding-publishes</c> and
/// <c>max-outstanding-publish-bytes</c>): a publish takes its place when <see cref="IPubSub.PublishAsync{T}"/> is called
/// and gives it back when its task completes (receipt, rejection, timeout or shutdown). A caller that awaits its
/// publishes never comes near it; one that starts publishes without awaiting them (or a topic that stopped answering)
/// would otherwise grow the client's memory until publish-timeout fails them. Beyond it a publish fails at once, as
/// NATS's "too many outstanding async publishes" does, rather than blocking the caller's thread.
/// </summary>
internal sealed class PublishBudget(int maxPublishes, long maxBytes)
{
    private int _publishes;
    private long _bytes;

    public int MaxPublishes { get; } = maxPublishes;

    public long MaxBytes { get; } = maxBytes;

    /// <summary>Publishes held now (queued, waiting to be sent, or sent and awaiting their receipt).</summary>
    public int Publishes => Volatile.Read(ref _publishes);

    /// <summary>Their bytes (every field in UTF-8 and its framing).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>
    /// Takes a place for a publish of <paramref name="bytes"/>; false when the count or the bytes would pass their bound.
    /// One publish always fits an empty budget, so a message larger than the byte bound is refused by its size check only.
    /// </summary>
    public bool TryTake(int bytes)
    {
        if (Interlocked.Increment(ref _publishes) > MaxPublishes)
        {
            Interlocked.Decrement(ref _publishes);
            return false;
        }
        var total = Interlocked.Add(ref _bytes, bytes);
        if (total > MaxBytes && total != bytes)
        {
            Interlocked.Add(ref _bytes, -bytes);
            Interlocked.Decrement(ref _publishes);
            return false;
        }
        return true;
    }

    /// <summary>Gives back the place of a completed publish of <paramref name="bytes"/>.</summary>
    public void Release(int bytes)
    {
        Interlocked.Decrement(ref _publishes);
        Interlocked.Add(ref _bytes, -bytes);
    }
}
