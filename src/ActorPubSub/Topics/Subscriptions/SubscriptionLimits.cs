namespace ActorPubSub.Topics.Subscriptions;

/// <summary>
/// The bounds of a subscription's and a consumer's settings, in one place: the topic, the client, the consumer and
/// the hosting options all check against these, so an edge and the topic can never disagree on what is allowed.
/// </summary>
public static class SubscriptionLimits
{
    /// <summary>The most delivery attempts a subscription may allow before dead-lettering (the least is 1).</summary>
    public const int MaxDeliveryAttempts = 10_000;

    /// <summary>The largest credit window one consumer may ask for (the least is 1).</summary>
    public const int MaxInFlight = 100_000;

    /// <summary>Why <paramref name="value"/> is no delivery-attempt limit, or null when it is one.</summary>
    public static string? CheckMaxDeliveryAttempts(string name, int value) =>
        value is < 1 or > MaxDeliveryAttempts ? $"{name} is {value}; it must be between 1 and {MaxDeliveryAttempts}." : null;

    /// <summary>Why <paramref name="value"/> is no credit window, or null when it is one.</summary>
    public static string? CheckMaxInFlight(string name, int value) =>
        value is < 1 or > MaxInFlight ? $"{name} is {value}; it must be between 1 and {MaxInFlight}." : null;
}
