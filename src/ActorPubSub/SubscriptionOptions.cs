using System.ComponentModel;

namespace ActorPubSub;

/// <summary>
/// Options of a durable subscription, stored with it and fixed at its creation (<see cref="IPubSub.CreateSubscriptionAsync"/>,
/// or <c>SubscribeAsync</c> creating it). The options of one consumer (max in-flight, handler timeout, accepted payload
/// types) are <see cref="ConsumerOptions"/>.
/// </summary>
public sealed record SubscriptionOptions
{
    /// <summary>Where a new subscription starts. <b>Default:</b> <see cref="StartPosition.Earliest"/>.</summary>
    public StartPosition Start { get; init; } = StartPosition.Earliest;

    /// <summary>
    /// How long a delivery may stay unacknowledged before it is delivered again (to another consumer when
    /// there is one). <b>Default:</b> unset — a new subscription gets <c>actorpubsub.topic.default-ack-deadline</c>
    /// (30 s), an existing one keeps its own. Allowed: 100 ms to 1 day. Set to a value other than the existing
    /// subscription's, it is refused (Conflict).
    /// </summary>
    public TimeSpan? AckDeadline { get; init; }

    /// <summary>
    /// Failed attempts (handler error, handler timeout, ack deadline) after which a message goes to the
    /// subscription's dead-letter store. <b>Default:</b> unset — <c>actorpubsub.topic.default-retry.max-delivery-attempts</c>
    /// (10) for a new subscription. Allowed: 1 to 10,000. Fixed at creation (another value: Conflict).
    /// </summary>
    public int? MaxDeliveryAttempts { get; init; }

    /// <summary>
    /// The wait before a failed message is delivered again: <c>Min * Factor^(attempt-1)</c>, at most <c>Max</c>,
    /// ±20% jitter. <b>Default:</b> unset — <c>actorpubsub.topic.default-retry</c> (200 ms, ×2, at most 30 s).
    /// Fixed at creation.
    /// </summary>
    public RetryBackoff? Backoff { get; init; }

    /// <summary>
    /// Deliver messages with the same key (<see cref="PublishOptions.Key"/>) one at a time, in publish order,
    /// also across retries: a failing message holds back the later messages of its key (until it succeeds or
    /// is dead-lettered), not those of other keys. Messages without a key are not held back. <b>Default:</b>
    /// unset — not ordered (parallel) for a new subscription. Fixed at creation.
    /// </summary>
    public bool? OrderedByKey { get; init; }

    /// <summary>
    /// A filter over message headers, e.g. <c>type = "order.created" AND region IN ("eu","us")</c>: only
    /// matching messages are delivered, the others count as acknowledged. Checked at creation (a bad filter is
    /// an <see cref="ArgumentException"/> naming the position). <b>Default:</b> unset — every message. Fixed at
    /// creation. The language: <c>ActorPubSub.Filters.HeaderFilter</c>.
    /// </summary>
    public string? Filter { get; init; }

    private const string ConsumerSetting =
        "A consumer setting, not stored with the subscription: give it to SubscribeAsync in ConsumerOptions. " +
        "CreateSubscriptionAsync refuses it (ArgumentException).";

    /// <summary>Moved to <see cref="ConsumerOptions.MaxInFlight"/>; honoured only by the <c>SubscribeAsync</c> overload without <see cref="ConsumerOptions"/>.</summary>
    [Obsolete(ConsumerSetting)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public int? MaxInFlight { get; init; }

    /// <summary>Moved to <see cref="ConsumerOptions.HandlerTimeout"/>; honoured only by the <c>SubscribeAsync</c> overload without <see cref="ConsumerOptions"/>.</summary>
    [Obsolete(ConsumerSetting)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public TimeSpan? HandlerTimeout { get; init; }

    /// <summary>Moved to <see cref="ConsumerOptions.AcceptedPayloadTypes"/>; honoured only by the <c>SubscribeAsync</c> overload without <see cref="ConsumerOptions"/>.</summary>
    [Obsolete(ConsumerSetting)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public IReadOnlyCollection<Type>? AcceptedPayloadTypes { get; init; }

#pragma warning disable CS0618 // reads the settings it moves out
    /// <summary>The consumer settings set here (the obsolete ones), by name; empty when none is.</summary>
    internal IReadOnlyList<string> ConsumerSettingsSet() =>
        [.. new[] { MaxInFlight is null ? null : nameof(MaxInFlight), HandlerTimeout is null ? null : nameof(HandlerTimeout),
            AcceptedPayloadTypes is null ? null : nameof(AcceptedPayloadTypes) }.OfType<string>()];

    /// <summary>The durable part (the consumer settings cleared) and the consumer settings it carried.</summary>
    internal (SubscriptionOptions Subscription, ConsumerOptions Consumer) Split() =>
        (this with { MaxInFlight = null, HandlerTimeout = null, AcceptedPayloadTypes = null },
         new ConsumerOptions { MaxInFlight = MaxInFlight, HandlerTimeout = HandlerTimeout, AcceptedPayloadTypes = AcceptedPayloadTypes });
#pragma warning restore CS0618
}
