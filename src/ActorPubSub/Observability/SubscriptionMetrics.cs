using ActorPubSub.Messages;

namespace ActorPubSub.Observability;

/// <summary>
/// One subscription's instruments as its topic actor records them: the tag arrays are built once here, so a
/// count is one <c>Counter.Add</c> without allocation. The gauge values are written by the topic actor (after
/// each journal write, tick and consumer change) and read by collectors on their own threads.
/// </summary>
internal sealed class SubscriptionMetrics
{
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly KeyValuePair<string, object?>[] _maxAttemptsTags;
    private readonly KeyValuePair<string, object?>[] _unprocessableTags;

    // Gauge values: single-writer (the topic actor), read without locks (64-bit reads and writes are atomic).
    private long _lag;
    private long _oldestUnackedTicks;   // UTC ticks; 0 when nothing is unacknowledged
    private long _inFlight;
    private long _consumers;
    private long _deadLetters;

    public SubscriptionMetrics(string topicTag, string subscriptionTag)
    {
        KeyValuePair<string, object?> topic = new(InstrumentNames.TopicTag, topicTag);
        KeyValuePair<string, object?> subscription = new(InstrumentNames.SubscriptionTag, subscriptionTag);
        _tags = [topic, subscription];
        _maxAttemptsTags = [topic, subscription, new(InstrumentNames.ReasonTag, "max_delivery_attempts")];
        _unprocessableTags = [topic, subscription, new(InstrumentNames.ReasonTag, "unprocessable")];
    }

    public ReadOnlySpan<KeyValuePair<string, object?>> Tags => _tags;

    public long Lag => Volatile.Read(ref _lag);
    public long InFlight => Volatile.Read(ref _inFlight);
    public long Consumers => Volatile.Read(ref _consumers);
    public long DeadLetters => Volatile.Read(ref _deadLetters);

    /// <summary>Seconds since the oldest unacknowledged message was published, as of <paramref name="utcNow"/>; 0 when none.</summary>
    public double LagAge(DateTime utcNow)
    {
        var oldest = Volatile.Read(ref _oldestUnackedTicks);
        return oldest == 0 ? 0 : Math.Max(0, (utcNow.Ticks - oldest) / (double)TimeSpan.TicksPerSecond);
    }

    public void Delivered(List<int> attempts)
    {
        PubSubMetrics.Delivered.Add(attempts.Count, _tags);
        if (!PubSubMetrics.Redelivered.Enabled) return;
        var redelivered = 0;
        foreach (var attempt in attempts)
            if (attempt > 1) redelivered++;
        if (redelivered > 0) PubSubMetrics.Redelivered.Add(redelivered, _tags);
    }

    public void Acked(int count) => PubSubMetrics.Acked.Add(count, _tags);

    public void Nacked() => PubSubMetrics.Nacked.Add(1, _tags);

    public void Expired(int count) => PubSubMetrics.Expired.Add(count, _tags);

    public void Dropped(long count) => PubSubMetrics.Dropped.Add(count, _tags);

    public void TransientDropped(long count) => PubSubMetrics.TransientDropped.Add(count, _tags);

    public void DeadLettered(DeadLetterReason reason) =>
        PubSubMetrics.DeadLettered.Add(1, reason == DeadLetterReason.Unprocessable ? _unprocessableTags : _maxAttemptsTags);

    /// <summary>Publishes the gauge values (called by the topic actor only).</summary>
    public void Update(long lag, DateTime? oldestUnacked, int inFlight, int consumers, long deadLetters)
    {
        Volatile.Write(ref _lag, lag);
        Volatile.Write(ref _oldestUnackedTicks, oldestUnacked?.Ticks ?? 0);
        Volatile.Write(ref _inFlight, inFlight);
        Volatile.Write(ref _consumers, consumers);
        Volatile.Write(ref _deadLetters, deadLetters);
    }
}
