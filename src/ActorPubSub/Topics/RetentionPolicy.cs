namespace ActorPubSub.Topics;

/// <summary>
/// What a topic keeps and drops: with subscriptions, what every one of them acknowledged, once outside the
/// topic's retention (by default at once); without, the oldest past the unsubscribed-retention limits. And
/// whether a new message fits the topic's limits.
/// </summary>
internal sealed class RetentionPolicy(string topic, TopicSettings settings, MessageLog log, SubscriptionTable subscriptions)
{
    /// <summary>The topic's own retention (ConfigureTopic); null: the node's default.</summary>
    public TopicRetention? Configured { get; set; }

    public TopicRetention Effective => Configured ?? settings.DefaultRetention;

    /// <summary>Drops what no subscription needs any more.</summary>
    public void Trim()
    {
        if (log.Count == 0) return;
        if (subscriptions.LowestWatermark() is { } min)
        {
            var retention = Effective;
            if (!retention.KeepsAcked)
            {
                while (log.Oldest is { } oldest && oldest.Sequence <= min) log.RemoveOldest();
                return;
            }
            var ageCutoff = DateTime.UtcNow - retention.MaxAge;
            while (log.Oldest is { } oldest && oldest.Sequence <= min &&
                   (oldest.Timestamp < ageCutoff || log.LastSequence - oldest.Sequence >= retention.MaxMessages))
                log.RemoveOldest();
            return;
        }
        var cutoff = DateTime.UtcNow - settings.UnsubscribedMaxAge;
        while (log.Oldest is { } oldest && (log.Count > settings.UnsubscribedMaxMessages || oldest.Timestamp < cutoff))
            log.RemoveOldest();
    }

    /// <summary>
    /// Null when a message of <paramref name="size"/> bytes fits beside what is retained and buffered, else
    /// why not. At the limits, acknowledged messages kept only for replay make room first.
    /// </summary>
    public string? RoomFor(int size, int bufferedMessages, long bufferedBytes)
    {
        if (!IsFull(size, bufferedMessages, bufferedBytes)) return null;
        if (subscriptions.LowestWatermark() is { } min)
            while (log.Oldest is { } oldest && oldest.Sequence <= min) log.RemoveOldest();
        if (!IsFull(size, bufferedMessages, bufferedBytes)) return null;
        return $"Topic '{topic}' retains {log.Count + bufferedMessages} messages " +
               $"({log.Bytes + bufferedBytes} bytes), its limit (max-retained-messages {settings.MaxRetainedMessages}, " +
               $"max-retained-bytes {settings.MaxRetainedBytes}); retry when its subscriptions caught up.";
    }

    private bool IsFull(int size, int bufferedMessages, long bufferedBytes) =>
        log.Count + bufferedMessages >= settings.MaxRetainedMessages ||
        log.Bytes + bufferedBytes + size > settings.MaxRetainedBytes;
}
