namespace ActorPubSub;

/// <summary>
/// Options of one consumer (one <see cref="IPubSub.SubscribeAsync{T}(string, string, Func{Delivery{T}, CancellationToken, Task}, SubscriptionOptions?, ConsumerOptions?, CancellationToken)"/>
/// call): they live only as long as the consumer and are not stored with the subscription, so each consumer of a
/// subscription may have its own. What is stored with the subscription (fixed at creation) is in
/// <see cref="SubscriptionOptions"/>.
/// </summary>
public sealed record ConsumerOptions
{
    /// <summary>
    /// Handlers this consumer runs at once (a hard cap: a timed-out handler keeps its place until it really ends).
    /// <b>Default:</b> <c>actorpubsub.consumer.max-in-flight</c> (256). Allowed: 1 to 100,000.
    /// </summary>
    public int? MaxInFlight { get; init; }

    /// <summary>
    /// A handler running longer counts as failed: its <see cref="CancellationToken"/> is cancelled and the message is
    /// delivered again after the subscription's backoff (docs/clients.md). <b>Default:</b>
    /// <c>actorpubsub.consumer.handler-timeout</c> (30 s).
    /// </summary>
    public TimeSpan? HandlerTimeout { get; init; }

    /// <summary>
    /// The payload types this consumer reads, each with the serializer bound to it. <b>Default:</b> unset — the handler's
    /// type alone. A payload written by another serializer (or whose type-name manifest names another type) is refused
    /// and dead-lettered at once: a publisher does not choose how consumers deserialize. Set it for a handler of a base
    /// type or <c>object</c> that takes several kinds of payload (e.g. <c>[typeof(string), typeof(byte[])]</c>); each
    /// must be assignable to the handler's type and have a serializer other than Akka's type-name JSON.
    /// </summary>
    public IReadOnlyCollection<Type>? AcceptedPayloadTypes { get; init; }

    /// <summary>
    /// The schema versions of the topic's contract this consumer reads (<see cref="Delivery{T}.SchemaVersion"/>, see
    /// docs/catalog.md). <b>Default:</b> unset — every message, versioned or not. When set, a message of another version,
    /// or one with no version (published while the topic did not validate), is refused and dead-lettered at once with
    /// the reason: retrying cannot change its version. Allowed: versions of 1 or more.
    /// </summary>
    public IReadOnlyCollection<int>? AcceptedSchemaVersions { get; init; }
}
