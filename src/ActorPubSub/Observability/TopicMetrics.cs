using System.Diagnostics;

namespace ActorPubSub.Observability;

/// <summary>
/// The instruments of one running topic actor: its tag, its subscriptions' <see cref="SubscriptionMetrics"/> (read
/// by the gauges through <see cref="TopicRegistry"/> while the topic runs) and the timing of its journal writes.
/// </summary>
internal sealed class TopicMetrics
{
    private readonly KeyValuePair<string, object?>[] _tags;
    private SubscriptionMetrics[] _subscriptions = [];
    private long _writeStarted;

    public TopicMetrics(string topic)
    {
        PubSubMetrics.EnsureCreated();
        Topic = topic;
        TopicTag = TagValues.Shared.Topic(topic);
        _tags = [new(InstrumentNames.TopicTag, TopicTag)];
    }

    public string Topic { get; }
    public string TopicTag { get; }

    /// <summary>The subscriptions the gauges report (replaced as a whole, so a collector sees one consistent list).</summary>
    public SubscriptionMetrics[] Subscriptions
    {
        get => Volatile.Read(ref _subscriptions);
        set => Volatile.Write(ref _subscriptions, value);
    }

    public SubscriptionMetrics ForSubscription(string subscription) =>
        new(TopicTag, TagValues.Shared.Subscription(Topic, subscription));

    public void Published(int count) => PubSubMetrics.Published.Add(count, _tags);

    public void WriteStarted() => _writeStarted = Stopwatch.GetTimestamp();

    /// <param name="messages">Messages the write carried (0 for a write of acks or control events only).</param>
    public void WriteSucceeded(int messages)
    {
        PubSubMetrics.WriteDuration.Record(Stopwatch.GetElapsedTime(_writeStarted).TotalSeconds);
        if (messages > 0) PubSubMetrics.WriteBatchSize.Record(messages);
    }
}
