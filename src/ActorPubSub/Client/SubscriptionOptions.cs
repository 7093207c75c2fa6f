
namespace ActorPubSub.Client;

using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Topics;

/// <summary>Options of a subscription (fixed at creation) and of a consumer of it.</summary>
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
    /// creation. The language: <see cref="Filters.HeaderFilter"/>.
    /// </summary>
    public string? Filter { get; init; }

    /// <summary>Deliveries this consumer runs at once. <b>Default:</b> <c>actorpubsub.consumer.max-in-flight</c> (256).</summary>
    public int? MaxInFlight { get; init; }

    /// <summary>A handler running longer counts as failed. <b>Default:</b> <c>actorpubsub.consumer.handler-timeout</c> (30 s).</summary>
    public TimeSpan? HandlerTimeout { get; init; }

    /// <summary>
    /// The payload types this consumer reads, each with the serializer bound to it. <b>Default:</b> unset — the handler's
    /// type alone. A payload written by another serializer (or whose type-name manifest names another type) is refused
    /// and dead-lettered at once: a publisher does not choose how consumers deserialize. Set it for a handler of a base
    /// type or <c>object</c> that takes several kinds of payload (e.g. <c>[typeof(string), typeof(byte[])]</c>); each
    /// must be assignable to the handler's type and have a serializer other than Akka's type-name JSON.
    /// </summary>
    public IReadOnlyCollection<Type>? AcceptedPayloadTypes { get; init; }
}
