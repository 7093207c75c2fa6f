using ActorPubSub.Messages;

namespace ActorPubSub;

/// <summary>
/// How long a failed delivery waits before it is delivered again: <c>Min * Factor^(attempt-1)</c>, at most
/// <c>Max</c>, with ±20% jitter so consumers that failed together do not retry together.
/// </summary>
/// <param name="Min">The wait after the first failure (0 to 1 hour).</param>
/// <param name="Max">The longest wait (at least <paramref name="Min"/>, at most 1 day).</param>
/// <param name="Factor">Growth per attempt (1 to 10; 1 is a fixed delay).</param>
public sealed record RetryBackoff(TimeSpan Min, TimeSpan Max, double Factor)
{
    /// <summary>Why these values cannot be used, or null when they can.</summary>
    public string? Validate()
    {
        if (Min < TimeSpan.Zero || Min > TimeSpan.FromHours(1))
            return $"Retry backoff min is {Min}; it must be between 0 and 1 hour.";
        if (Max < Min || Max > TimeSpan.FromDays(1))
            return $"Retry backoff max is {Max}; it must be at least min ({Min}) and at most 1 day.";
        if (double.IsNaN(Factor) || Factor < 1 || Factor > 10)
            return $"Retry backoff factor is {Factor}; it must be between 1 and 10.";
        return null;
    }

    /// <summary>The wait before the delivery that follows failed attempt <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan DelayAfter(int attempt)
    {
        var exponent = Math.Min(Math.Max(attempt - 1, 0), 60);
        var ms = Math.Min(Min.TotalMilliseconds * Math.Pow(Factor, exponent), Max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms * (0.8 + Random.Shared.NextDouble() * 0.4));
    }
}
