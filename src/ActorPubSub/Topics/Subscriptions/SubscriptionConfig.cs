using ActorPubSub.Messages;
using ActorPubSub.Topics;

namespace ActorPubSub.Topics.Subscriptions;

/// <summary>
/// A subscription's options, fixed when it is created (defaults resolved) and stored with it.
/// </summary>
/// <param name="AckDeadline">A delivery not acknowledged within this is delivered again (counts as a failed attempt).</param>
/// <param name="MaxDeliveryAttempts">After this many failed attempts a message is dead-lettered.</param>
/// <param name="Backoff">The wait before a failed delivery is delivered again.</param>
/// <param name="OrderedByKey">
/// Messages with the same key are delivered one at a time, in publish order, also across retries; messages
/// without a key are not held back.
/// </param>
/// <param name="Filter">A header filter: only matching messages are delivered, the rest count as acknowledged.</param>
/// <param name="Incarnation">
/// Identifies this creation of the subscription (a subscription deleted and created again gets a new one), so
/// its dead-letter transfers are not confused with an earlier one's.
/// </param>
public sealed record SubscriptionConfig(
    TimeSpan AckDeadline,
    int MaxDeliveryAttempts,
    RetryBackoff Backoff,
    bool OrderedByKey,
    string? Filter,
    Guid Incarnation);
