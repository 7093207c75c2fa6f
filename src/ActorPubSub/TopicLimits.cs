namespace ActorPubSub;

/// <summary>What a topic does when its log reaches a limit.</summary>
public enum WhenFull
{
    /// <summary>Refuse publishes (<see cref="RejectionCode.TopicFull"/>) until subscriptions caught up: nothing is lost.</summary>
    Refuse = 0,

    /// <summary>
    /// Drop the oldest messages, acknowledged or not, to make room: publishers never wait; subscriptions behind count
    /// what they lost (<c>actorpubsub.messages.dropped</c>, <c>pbm pubsub lag</c>).
    /// </summary>
    DropOldest = 1,
}

/// <summary>
/// How much a topic's log may hold on disk: every message no subscription has acknowledged, plus acknowledged ones
/// kept for replay (<see cref="TopicRetention"/>). Each limit is optional (0: none).
/// </summary>
/// <param name="MaxBytes">Message bytes (payload, key, headers, id) retained; 0: no limit.</param>
/// <param name="MaxMessages">Messages retained; 0: no limit.</param>
/// <param name="MaxAge">Messages older than this are dropped even when unacknowledged; zero: never.</param>
/// <param name="WhenFull">At <paramref name="MaxBytes"/> or <paramref name="MaxMessages"/>: refuse or drop the oldest.</param>
public sealed record TopicLimits(long MaxBytes, long MaxMessages, TimeSpan MaxAge, WhenFull WhenFull)
{
    /// <summary>Why these limits cannot work, or null.</summary>
    public string? Validate()
    {
        if (MaxBytes < 0) return $"Max bytes is {MaxBytes}; it must be 0 (no limit) or more.";
        if (MaxMessages < 0) return $"Max messages is {MaxMessages}; it must be 0 (no limit) or more.";
        if (MaxAge < TimeSpan.Zero || MaxAge > TimeSpan.FromDays(3650))
            return $"Max age is {MaxAge}; it must be between 0 (no limit) and 3650 days.";
        if (!Enum.IsDefined(WhenFull)) return $"When-full is {(int)WhenFull}; it must be refuse or drop-oldest.";
        return null;
    }
}
