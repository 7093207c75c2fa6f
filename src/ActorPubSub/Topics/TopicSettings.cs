using Akka.Actor;
using Akka.Configuration;
using ActorPubSub.Settings;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Log;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Topics;

/// <summary>Settings of every topic on a node, read from <c>actorpubsub.topic</c>.</summary>
public sealed record TopicSettings(
    int MaxMessageSize,
    int MaxRetainedMessages,
    long MaxRetainedBytes,
    int UnsubscribedMaxMessages,
    TimeSpan UnsubscribedMaxAge,
    int MaxWriteBatchMessages,
    int MaxWriteBatchBytes,
    int DeliverBatchMessages,
    int DeliverBatchBytes,
    int TransientWindow,
    TimeSpan DefaultAckDeadline,
    int DefaultMaxDeliveryAttempts,
    RetryBackoff DefaultBackoff,
    TopicRetention DefaultRetention,
    TimeSpan DedupWindow,
    int DedupMaxIds,
    TimeSpan TickInterval,
    TimeSpan ConsumerTimeout,
    TimeSpan ProducerExpiry,
    TimeSpan IdleTimeout,
    long MinSnapshotBytes,
    string JournalPluginId,
    string SnapshotPluginId,
    TimeSpan MaxRetainedAge = default,
    WhenFull WhenFull = WhenFull.Refuse,
    long LogPageBytes = 256 * 1024,
    long LogWindowBytes = 32 * 1024 * 1024)
{
    /// <summary>The node's default limits of every topic's log (a topic may set its own).</summary>
    public TopicLimits DefaultLimits => new(MaxRetainedBytes, MaxRetainedMessages, MaxRetainedAge, WhenFull);

    public LogSettings Log => new(LogPageBytes, LogWindowBytes);

    /// <summary>
    /// Transient credit the topic grants over all its publishers together (<c>transient-credit-pool</c>): bounds the
    /// messages parked at the topic however many publishers there are.
    /// </summary>
    public int TransientCreditPool { get; init; } = 10_000;

    public static TopicSettings Create(ActorSystem system) => Create(SettingsReader.RootOf(system));

    /// <param name="config">The <c>actorpubsub</c> section.</param>
    public static TopicSettings Create(Config config)
    {
        var t = config.GetConfig("topic");
        return new TopicSettings(
            MaxMessageSize: checked((int)t.GetByteSize("max-message-size")!.Value),
            MaxRetainedMessages: t.GetInt("max-retained-messages"),
            MaxRetainedBytes: t.GetByteSize("max-retained-bytes")!.Value,
            UnsubscribedMaxMessages: t.GetInt("unsubscribed-retention.max-messages"),
            UnsubscribedMaxAge: t.GetTimeSpan("unsubscribed-retention.max-age"),
            MaxWriteBatchMessages: t.GetInt("max-write-batch-messages"),
            MaxWriteBatchBytes: checked((int)t.GetByteSize("max-write-batch-bytes")!.Value),
            DeliverBatchMessages: t.GetInt("deliver-batch-messages"),
            DeliverBatchBytes: checked((int)t.GetByteSize("deliver-batch-bytes")!.Value),
            TransientWindow: t.GetInt("transient-window"),
            DefaultAckDeadline: t.GetTimeSpan("default-ack-deadline"),
            DefaultMaxDeliveryAttempts: t.GetInt("default-retry.max-delivery-attempts"),
            DefaultBackoff: new RetryBackoff(
                t.GetTimeSpan("default-retry.min-backoff"), t.GetTimeSpan("default-retry.max-backoff"), t.GetDouble("default-retry.factor")),
            DefaultRetention: new TopicRetention(t.GetTimeSpan("retention.max-age"), t.GetInt("retention.max-messages")),
            DedupWindow: t.GetTimeSpan("dedup-window"),
            DedupMaxIds: t.GetInt("dedup-max-ids"),
            TickInterval: t.GetTimeSpan("tick-interval"),
            ConsumerTimeout: t.GetTimeSpan("consumer-timeout"),
            ProducerExpiry: t.GetTimeSpan("producer-expiry"),
            IdleTimeout: t.GetTimeSpan("idle-timeout"),
            MinSnapshotBytes: t.GetByteSize("min-snapshot-bytes")!.Value,
            JournalPluginId: config.GetString("journal-plugin-id"),
            SnapshotPluginId: config.GetString("snapshot-plugin-id"),
            MaxRetainedAge: t.GetTimeSpan("max-retained-age"),
            WhenFull: ParseWhenFull(t.GetString("when-full")),
            LogPageBytes: t.GetByteSize("log.page-bytes")!.Value,
            LogWindowBytes: t.GetByteSize("log.window-bytes")!.Value) { TransientCreditPool = t.GetInt("transient-credit-pool") }.Validate();
    }

    private static WhenFull ParseWhenFull(string value) => value switch
    {
        "refuse" => WhenFull.Refuse,
        "drop-oldest" => WhenFull.DropOldest,
        _ => throw new ConfigurationException($"actorpubsub.topic.when-full is '{value}'; it must be refuse or drop-oldest."),
    };

    /// <summary>Rejects settings that cannot work, naming the key and what is allowed.</summary>
    public TopicSettings Validate()
    {
        static void Positive(string key, double value) => SettingsReader.Positive(SettingsReader.Root + ".topic", key, value);
        Positive("max-message-size", MaxMessageSize);
        if (MaxRetainedMessages < 0)
            throw new ConfigurationException($"actorpubsub.topic.max-retained-messages is {MaxRetainedMessages}; it must be 0 (no limit) or more.");
        if (MaxRetainedBytes < 0)
            throw new ConfigurationException($"actorpubsub.topic.max-retained-bytes is {MaxRetainedBytes}; it must be 0 (no limit) or more.");
        if (MaxRetainedAge < TimeSpan.Zero || MaxRetainedAge > TimeSpan.FromDays(3650))
            throw new ConfigurationException($"actorpubsub.topic.max-retained-age is {MaxRetainedAge}; it must be between 0 (no limit) and 3650 days.");
        Positive("log.page-bytes", LogPageBytes);
        Positive("log.window-bytes", LogWindowBytes);
        Positive("max-write-batch-messages", MaxWriteBatchMessages);
        Positive("max-write-batch-bytes", MaxWriteBatchBytes);
        Positive("deliver-batch-messages", DeliverBatchMessages);
        Positive("deliver-batch-bytes", DeliverBatchBytes);
        Positive("transient-window", TransientWindow);
        Positive("transient-credit-pool", TransientCreditPool);
        Positive("default-ack-deadline", DefaultAckDeadline.TotalMilliseconds);
        Positive("tick-interval", TickInterval.TotalMilliseconds);
        Positive("consumer-timeout", ConsumerTimeout.TotalMilliseconds);
        Positive("idle-timeout", IdleTimeout.TotalMilliseconds);
        if (SubscriptionLimits.CheckMaxDeliveryAttempts("actorpubsub.topic.default-retry.max-delivery-attempts", DefaultMaxDeliveryAttempts) is { } attemptsError)
            throw new ConfigurationException(attemptsError);
        if (DefaultBackoff.Validate() is { } backoff)
            throw new ConfigurationException($"actorpubsub.topic.default-retry: {backoff}");
        if (DefaultRetention.Validate(MaxRetainedMessages) is { } retention)
            throw new ConfigurationException($"actorpubsub.topic.retention: {retention}");
        if (DedupWindow < TimeSpan.Zero || DedupWindow > TimeSpan.FromDays(1))
            throw new ConfigurationException($"actorpubsub.topic.dedup-window is {DedupWindow}; it must be between 0 and 1 day.");
        if (DedupMaxIds is < 0 or > 100_000_000)
            throw new ConfigurationException($"actorpubsub.topic.dedup-max-ids is {DedupMaxIds}; it must be between 0 and 100000000.");
        if (UnsubscribedMaxMessages < 0)
            throw new ConfigurationException("actorpubsub.topic.unsubscribed-retention.max-messages must be 0 or more.");
        return this;
    }
}
