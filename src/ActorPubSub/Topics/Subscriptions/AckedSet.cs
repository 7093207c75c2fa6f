namespace ActorPubSub.Topics.Subscriptions;

/// <summary>
/// What a subscription acknowledged: a watermark (everything up to it) plus the out-of-order acks above it.
/// An ack that fills the hole after the watermark carries it over every contiguous ack.
/// </summary>
internal sealed class AckedSet(long watermark)
{
    private readonly HashSet<long> _above = [];

    /// <summary>Every sequence up to here is acknowledged.</summary>
    public long Watermark { get; private set; } = watermark;

    /// <summary>Sequences above the watermark already acknowledged.</summary>
    public IReadOnlyCollection<long> Above => _above;

    public bool Contains(long sequence) => sequence <= Watermark || _above.Contains(sequence);

    /// <summary>Records an ack; false when <paramref name="sequence"/> was acknowledged already.</summary>
    public bool Add(long sequence)
    {
        if (sequence <= Watermark || !_above.Add(sequence)) return false;
        Advance();
        return true;
    }

    /// <summary>
    /// A seek: everything before <paramref name="sequence"/> counts as acknowledged, nothing from it on.
    /// Returns true when the watermark moved forward (deliveries below it are done).
    /// </summary>
    public bool MoveTo(long sequence)
    {
        if (sequence - 1 >= Watermark)
        {
            _above.RemoveWhere(s => s < sequence);
            Watermark = sequence - 1;
            Advance();
            return true;
        }
        _above.Clear();
        Watermark = sequence - 1;
        return false;
    }

    private void Advance()
    {
        while (_above.Remove(Watermark + 1)) Watermark++;
    }
}
