namespace ActorPubSub.Tests.Client.Idempotency;

/// <summary>A clock that moves only when a test calls <see cref="Advance"/>; both its wall clock and its timestamps.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private DateTimeOffset _now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock) return _now;
    }

    // Timestamps in ticks, so GetElapsedTime gives back exactly what was advanced.
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp()
    {
        lock (_lock) return _now.UtcTicks;
    }

    public void Advance(TimeSpan by)
    {
        lock (_lock) _now += by;
    }
}
