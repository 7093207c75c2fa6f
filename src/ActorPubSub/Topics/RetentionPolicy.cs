using ActorPubSub.Topics.Log;

namespace ActorPubSub.Topics;

/// <summary>
/// What a topic's log keeps and drops. With subscriptions: a message every one of them acknowledged goes once it is
/// outside the topic's retention (by default at once); without: the oldest past the unsubscribed-retention limits.
/// The limits on the log (<see cref="TopicLimits"/>) decide whether a new message fits, and, when they say
/// drop-oldest or set a max age, drop messages no matter who still needs them (<see cref="Truncation"/>).
/// </summary>
internal sealed class RetentionPolicy(string topic, TopicSettings settings, MessageLog log, SubscriptionTable subscriptions)
{
    /// <summary>The topic's own retention (ConfigureTopic); null: the node's default.</summary>
    public TopicRetention? Configured { get; set; }

    public TopicRetention Effective => Configured ?? settings.DefaultRetention;

    /// <summary>The topic's own limits; null: the node's defaults.</summary>
    public TopicLimits? ConfiguredLimits { get; set; }

    public TopicLimits Limits => ConfiguredLimits ?? (_defaultLimits ??= settings.DefaultLimits);   // asked per publish: made once

    private TopicLimits? _defaultLimits;

    /// <summary>Drops what no subscription needs any more.</summary>
    public void Trim()
    {
        if (log.Count > 0) log.DropBelow(KeepFrom(DateTime.UtcNow));
    }

    private long KeepFrom(DateTime utcNow)
    {
        var last = log.LastSequence;
        if (subscriptions.LowestWatermark() is { } min)
        {
            var retention = Effective;
            if (!retention.KeepsAcked) return min + 1;
            // An acknowledged message goes once it is older than max-age or more than max-messages newer ones exist.
            var outside = Math.Max(log.LastBefore(utcNow - retention.MaxAge), last - retention.MaxMessages);
            return Math.Min(min, outside) + 1;
        }
        return Math.Max(log.LastBefore(utcNow - settings.UnsubscribedMaxAge), last - settings.UnsubscribedMaxMessages) + 1;
    }

    /// <summary>
    /// What the limits drop although subscriptions may still need it: messages past max-age, and with drop-oldest
    /// the oldest beyond max-messages or max-bytes. Null when nothing must go. A dead-lettered message on its way to
    /// its store stays (the store needs its body).
    /// </summary>
    public LogTruncated? Truncation(DateTime utcNow)
    {
        if (log.Count == 0) return null;
        var limits = Limits;
        long drop = 0;   // the last sequence to drop
        if (limits.MaxAge > TimeSpan.Zero) drop = log.LastBefore(utcNow - limits.MaxAge);
        if (limits.WhenFull == WhenFull.DropOldest)
        {
            if (limits.MaxMessages > 0 && log.Count > limits.MaxMessages) drop = Math.Max(drop, log.LastSequence - limits.MaxMessages);
            if (limits.MaxBytes > 0 && log.Bytes > limits.MaxBytes) drop = Math.Max(drop, log.LastToDropForBytes(limits.MaxBytes));
        }
        if (drop < log.FirstSequence) return null;
        if (subscriptions.LowestTransfer() is { } transfer) drop = Math.Min(drop, transfer - 1);
        return drop >= log.FirstSequence ? new LogTruncated(drop + 1) : null;
    }

    /// <summary>
    /// Null when a message of <paramref name="size"/> bytes fits beside what is retained, buffered and being written,
    /// else why not. Limits that drop the oldest always fit (the drop follows the write). At a refusing limit,
    /// acknowledged messages kept only for replay make room first.
    /// </summary>
    public string? RoomFor(int size, long pendingMessages, long pendingBytes)
    {
        var limits = Limits;
        if (limits.WhenFull == WhenFull.DropOldest || !IsFull(limits, size, pendingMessages, pendingBytes)) return null;
        if (subscriptions.LowestWatermark() is { } min) log.DropBelow(min + 1);
        if (!IsFull(limits, size, pendingMessages, pendingBytes)) return null;
        return $"Topic '{topic}' retains {log.Count + pendingMessages} messages ({log.Bytes + pendingBytes} bytes), " +
               $"its limit (max-retained-messages {Describe(limits.MaxMessages)}, max-retained-bytes {Describe(limits.MaxBytes)}, " +
               "when-full refuse); retry when its subscriptions caught up, or raise the limits.";
    }

    private static string Describe(long limit) => limit == 0 ? "none" : limit.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private bool IsFull(TopicLimits limits, int size, long pendingMessages, long pendingBytes) =>
        (limits.MaxMessages > 0 && log.Count + pendingMessages >= limits.MaxMessages) ||
        (limits.MaxBytes > 0 && log.Bytes + pendingBytes + size > limits.MaxBytes);
}
