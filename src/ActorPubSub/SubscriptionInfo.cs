using ActorPubSub.Messages;

namespace ActorPubSub;

/// <summary>One subscription's delivery state and options.</summary>
/// <param name="Watermark">Everything up to here is acknowledged.</param>
/// <param name="Pending">Messages not yet acknowledged (the lag in messages), including redriven ones.</param>
/// <param name="DeadLettering">Messages handed to the dead-letter store and not yet confirmed by it.</param>
/// <param name="OldestUnackedAge">
/// The lag in time: how long ago the oldest message not yet acknowledged was published (measured by the topic when it
/// answered); zero when every message is acknowledged.
/// </param>
/// <param name="DeadLetters">
/// Letters in the subscription's dead-letter store, as the store last reported them to the topic; null when it has not
/// reported since the topic started (it does at its next intake or purge, and when the topic starts, if the
/// subscription dead-lettered before).
/// </param>
/// <param name="Dropped">Messages the topic's limits dropped before this subscription acknowledged them.</param>
/// <param name="TransientDropped">
/// Transient messages dropped for this subscription since its topic started: its consumers had no room and its
/// transient-window of waiting messages was full (a consumer that keeps up loses none).
/// </param>
/// <param name="TransientWaiting">
/// Transient messages waiting at the topic for room at this subscription's consumers (at most the larger of
/// <c>transient-window</c> and <c>transient-credit-pool</c>).
/// </param>
public sealed record SubscriptionInfo(
    string Name,
    long Watermark,
    long Pending,
    int InFlight,
    int Consumers,
    TimeSpan AckDeadline,
    int MaxDeliveryAttempts,
    bool OrderedByKey,
    string? Filter,
    int DeadLettering,
    TimeSpan OldestUnackedAge,
    int? DeadLetters,
    long Dropped = 0,
    long TransientDropped = 0,
    int TransientWaiting = 0) : IPubSubWireMessage;
