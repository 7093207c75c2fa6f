namespace ActorPubSub.Client;

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

    /// <summary>Deliveries this consumer runs at once. <b>Default:</b> <c>actorpubsub.consumer.max-in-flight</c> (256).</summary>
    public int? MaxInFlight { get; init; }

    /// <summary>A handler running longer counts as failed. <b>Default:</b> <c>actorpubsub.consumer.handler-timeout</c> (30 s).</summary>
    public TimeSpan? HandlerTimeout { get; init; }
}
