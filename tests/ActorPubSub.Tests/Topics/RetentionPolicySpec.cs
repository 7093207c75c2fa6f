using ActorPubSub.Topics;
using static ActorPubSub.Tests.Topics.TopicParts;

namespace ActorPubSub.Tests.Topics;

/// <summary>What a topic keeps and drops, and whether a new message fits.</summary>
[Trait("Category", "Unit")]
public sealed class RetentionPolicySpec
{
    [Fact]
    public void Trim_should_drop_what_every_subscription_acknowledged()
    {
        // arrange
        var log = LogOf(5);
        var table = Table(log, subscriptions: ["billing", "audit"]);
        var billing = table.Get("billing");
        var audit = table.Get("audit");
        foreach (var seq in new long[] { 1, 2, 3 }) billing.Ack(seq);
        foreach (var seq in new long[] { 1, 2 }) audit.Ack(seq);
        var retention = new RetentionPolicy(Topic, DefaultSettings(), log, table) { Configured = TopicRetention.None };

        // act
        retention.Trim();

        // assert
        Assert.Equal(3, log.FirstSequence);
    }

    [Fact]
    public void Trim_should_keep_acknowledged_messages_within_the_topic_retention()
    {
        // arrange: everything acknowledged, a retention of the last 2 messages for a day
        var log = LogOf(5, at: DateTime.UtcNow);
        var table = Table(log, subscriptions: ["billing"]);
        var sub = table.Get("billing");
        for (var seq = 1; seq <= 5; seq++) sub.Ack(seq);
        var retention = new RetentionPolicy(Topic, DefaultSettings(), log, table) { Configured = new TopicRetention(TimeSpan.FromDays(1), 2) };

        // act
        retention.Trim();

        // assert
        Assert.Equal((4L, 2), (log.FirstSequence, log.Count));
    }

    [Fact]
    public void Trim_without_subscriptions_should_keep_up_to_the_unsubscribed_limit()
    {
        // arrange
        var log = LogOf(5, at: DateTime.UtcNow);
        var settings = DefaultSettings() with { UnsubscribedMaxMessages = 3, UnsubscribedMaxAge = TimeSpan.FromDays(1) };
        var retention = new RetentionPolicy(Topic, settings, log, Table(log, settings));

        // act
        retention.Trim();

        // assert
        Assert.Equal((3L, 5L), (log.FirstSequence, log.LastSequence));
    }

    [Fact]
    public void RoomFor_should_make_room_from_acknowledged_messages_before_refusing()
    {
        // arrange: a limit of 3 messages; 1 and 2 acknowledged but kept for replay
        var log = LogOf(3, at: DateTime.UtcNow);
        var settings = DefaultSettings() with { MaxRetainedMessages = 3 };
        var table = Table(log, settings, "billing");
        var sub = table.Get("billing");
        sub.Ack(1);
        sub.Ack(2);
        var retention = new RetentionPolicy(Topic, settings, log, table) { Configured = new TopicRetention(TimeSpan.FromDays(1), 100) };

        // act
        var room = retention.RoomFor(10, pendingMessages: 0, pendingBytes: 0);
        var full = retention.RoomFor(10, pendingMessages: 2, pendingBytes: 20);

        // assert
        Assert.Null(room);
        Assert.Equal(3, log.FirstSequence);
        Assert.Contains("max-retained-messages 3", full);
    }
}
