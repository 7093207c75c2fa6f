using ActorPubSub.Messages;

namespace ActorPubSub;

/// <summary>
/// How long a topic keeps messages that every subscription has acknowledged, so a subscription can seek back
/// to them (replay). A message no subscription needs any more is dropped once it is older than
/// <paramref name="MaxAge"/> or more than <paramref name="MaxMessages"/> newer messages exist; with either at
/// zero it is dropped as soon as the last subscription acknowledged it. A message a subscription still needs
/// is never dropped. Topics without subscriptions keep messages by <c>unsubscribed-retention</c> instead.
/// </summary>
/// <param name="MaxAge">0 to 365 days.</param>
/// <param name="MaxMessages">0 to the topic's max-retained-messages (when it has one).</param>
public sealed record TopicRetention(TimeSpan MaxAge, int MaxMessages)
{
    /// <summary>Acknowledged messages are dropped at once.</summary>
    public static readonly TopicRetention None = new(TimeSpan.Zero, 0);

    public bool KeepsAcked => MaxAge > TimeSpan.Zero && MaxMessages > 0;

    public string? Validate(int maxRetainedMessages)
    {
        if (MaxAge < TimeSpan.Zero || MaxAge > TimeSpan.FromDays(365))
            return $"Retention max age is {MaxAge}; it must be between 0 and 365 days.";
        if (MaxMessages < 0 || (maxRetainedMessages > 0 && MaxMessages > maxRetainedMessages))
            return $"Retention max messages is {MaxMessages}; it must be between 0 and max-retained-messages ({maxRetainedMessages}).";
        return null;
    }
}
