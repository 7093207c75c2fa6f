using ActorPubSub.Hosting;
using ActorPubSub.Messages;
using ActorPubSub.Observability;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Log;
using ActorPubSub.Tests.Topics.Log;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Topics;

/// <summary>What the specs of the topic's plain parts share: the node's default settings, messages and publishes.</summary>
internal static class TopicParts
{
    public const string Topic = "orders";
    public static readonly DateTime At = new(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    public static TopicSettings DefaultSettings() => TopicSettings.Create(PubSubConfig.Default.GetConfig("actorpubsub"));

    public static Payload Body(int size = 10) => new(1, "", new byte[size]);

    public static TopicMessage Message(long sequence, int size = 10, DateTime? at = null) =>
        new(sequence, at ?? At, Body(size), null, null, null);

    public static Publish Publish(int size = 10, string? messageId = null, string? producerId = null, long producerSeq = 0,
        string topic = Topic) =>
        new(topic, Body(size), MessageId: messageId, ProducerId: producerId, ProducerSeq: producerSeq);

    public static SubscriptionConfig Config(int ackDeadlineMs = 1000) =>
        new(TimeSpan.FromMilliseconds(ackDeadlineMs), 5, new RetryBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), 2),
            false, null, Guid.NewGuid());

    /// <summary>A log holding messages 1..<paramref name="count"/>.</summary>
    public static MessageLog LogOf(int count, int size = 10, DateTime? at = null)
    {
        var log = TestLogs.New();
        for (var seq = 1; seq <= count; seq++) log.Append(Message(seq, size, at));
        return log;
    }

    /// <summary>A subscription table over <paramref name="log"/> with the given subscriptions (watermark 0).</summary>
    public static SubscriptionTable Table(MessageLog log, TopicSettings? settings = null, params string[] subscriptions)
    {
        var table = new SubscriptionTable(Topic, settings ?? DefaultSettings(), log, new TopicMetrics(Topic));
        foreach (var name in subscriptions) table.Add(new SubscriptionAdded(name, 0, Config()));
        return table;
    }

    /// <summary>The subscription named <paramref name="name"/>; the spec set it up.</summary>
    public static SubscriptionState Get(this SubscriptionTable table, string name) =>
        table.TryGet(name, out var sub) ? sub : throw new InvalidOperationException($"No subscription {name}.");
}
