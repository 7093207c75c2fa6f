using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Client.Idempotency;

/// <summary>Options of <see cref="IdempotentHandler.Wrap{T}(Func{Delivery{T}, CancellationToken, Task}, IdempotencyOptions?)"/>.</summary>
public sealed record IdempotencyOptions
{
    /// <summary>Most message keys remembered; beyond it the least recently added is forgotten. <b>Default:</b> 100,000.</summary>
    public int Capacity { get; init; } = 100_000;

    /// <summary>
    /// How long a processed key is remembered. Pick it longer than the window in which duplicates arrive
    /// (ack deadline × attempts, or the publisher's retry window). <b>Default:</b> 1 hour.
    /// </summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The clock that ages keys; tests pass a manual one. <b>Default:</b> <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
