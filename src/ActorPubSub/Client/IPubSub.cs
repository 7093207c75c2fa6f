using ActorPubSub.Topics;

namespace ActorPubSub.Client;

/// <summary>
/// The Task facade of ActorPubSub, registered in DI by <c>services.AddPubSubClient()</c>.
/// </summary>
public interface IPubSub
{
    /// <summary>
    /// Publishes <paramref name="message"/> to <paramref name="topic"/> (created on first use). Completes with
    /// a receipt once the message is persisted; resends without receipt are stored once.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid topic name, message too large, invalid options.</exception>
    /// <exception cref="PubSubRejectedException">The topic refused the message (e.g. full).</exception>
    /// <exception cref="TimeoutException">No receipt within the publish timeout: the message may or may not be stored.</exception>
    /// <remarks>Cancelling only stops the wait: the publish may still be stored (and is then delivered).</remarks>
    Task<PublishReceipt> PublishAsync<T>(string topic, T message, PublishOptions? options = null, CancellationToken cancellationToken = default)
        where T : notnull;

    /// <summary>
    /// Fire-and-forget (transient) publish: the message goes to one consumer of each subscription of the topic
    /// that is consuming right now, and is never stored, acknowledged or redelivered (delivered with sequence 0
    /// and attempt 0). Returns at once; a subscription without a consumer with room misses it. For events whose
    /// loss is acceptable (telemetry, cache invalidation), at the speed of Akka's DistributedPubSub.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid topic name or message too large.</exception>
    void PublishTransient<T>(string topic, T message, PublishOptions? options = null) where T : notnull;

    /// <summary>Creates a durable subscription, or confirms it exists with the same options.</summary>
    Task<SubscriptionCreated> CreateSubscriptionAsync(string topic, string subscription, SubscriptionOptions? options = null,
        CancellationToken cancellationToken = default);

    /// <summary>Deletes a subscription and its delivery state.</summary>
    Task<SubscriptionDeleted> DeleteSubscriptionAsync(string topic, string subscription, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates the subscription if needed and starts a consumer on this node. The handler acks a message by
    /// returning and nacks it by throwing (it comes back after a backoff). Several consumers of one
    /// subscription share its messages.
    /// </summary>
    Task<ISubscription> SubscribeAsync<T>(string topic, string subscription, Func<Delivery<T>, CancellationToken, Task> handler,
        SubscriptionOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>The topic's state (last sequence, retained messages, subscriptions and their lag).</summary>
    Task<TopicInfo> GetTopicInfoAsync(string topic, CancellationToken cancellationToken = default);
}
