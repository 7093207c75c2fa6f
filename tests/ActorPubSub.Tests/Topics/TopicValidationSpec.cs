using System.Collections.Immutable;
using Akka.Actor;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Messages;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Topics;

/// <summary>Bad input is refused at the edge with an error that says what is allowed, and the topic keeps running.</summary>
[Trait("Category", "Integration")]
public sealed class TopicValidationSpec : NodeSpec
{
    protected override PubSubOptions Options => new PubSubOptions { MaxMessageSize = 64 * 1024, MaxRetainedMessages = 5 };

    [Theory]
    [InlineData("", "required")]
    [InlineData("has space", "position 3")]
    [InlineData("-leading-dash", "must start with an ASCII letter or digit")]
    [InlineData("colon:inside", "position 5")]
    [InlineData("ünïcode", "must start")]
    public async Task Invalid_topic_name_should_be_refused_with_the_grammar(string topic, string expected)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Node.Client.PublishAsync(topic, "x"));
        Assert.Contains(expected, error.Message);
        Assert.Equal("topic", error.ParamName);
    }

    [Fact]
    public async Task Too_long_names_should_be_refused_with_the_limit()
    {
        var topic = await Assert.ThrowsAsync<ArgumentException>(() => Node.Client.PublishAsync(new string('t', 129), "x"));
        Assert.Contains("at most 128", topic.Message);
        var sub = await Assert.ThrowsAsync<ArgumentException>(() => Node.Client.CreateSubscriptionAsync("ok", new string('s', 65)));
        Assert.Contains("at most 64", sub.Message);
        Assert.Null(TopicNames.ValidateTopic(new string('t', 128)));
    }

    [Fact]
    public async Task Oversized_message_should_be_refused_by_the_client_and_by_the_topic()
    {
        // the client refuses before sending
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Node.Client.PublishAsync("big", new byte[64 * 1024 + 1]));
        Assert.Contains("max-message-size allows 65536", error.Message);

        // an actor-native publish that bypasses the client is refused by the topic itself
        var probe = Kit.CreateTestProbe();
        Node.Region.Tell(new Publish("big", new Payload(4, "", new byte[64 * 1024 + 1])), probe);
        var rejected = await probe.ExpectMsgAsync<PublishRejected>(TimeSpan.FromSeconds(10));
        Assert.Equal(RejectionCode.Invalid, rejected.Code);
        Assert.Contains("max-message-size allows 65536", rejected.Reason);

        // and keeps running: the largest allowed message is accepted (byte[] serializes as itself)
        var receipt = await Node.Client.PublishAsync("big", new byte[64 * 1024]);
        Assert.Equal(1, receipt.Sequence);
    }

    [Fact]
    public async Task Ack_for_unknown_subscription_or_topic_should_be_refused()
    {
        var probe = Kit.CreateTestProbe();
        await Node.Client.PublishAsync("known", "x");

        Node.Region.Tell(new Ack("known", "nobody", [1]), probe);
        var unknownSub = await probe.ExpectMsgAsync<CommandRejected>(TimeSpan.FromSeconds(10));
        Assert.Equal((RejectionCode.UnknownSubscription, "Ack"), (unknownSub.Code, unknownSub.Command));
        Assert.Contains("has no subscription 'nobody'", unknownSub.Reason);

        Node.Region.Tell(new Ack("never-used", "s", [1]), probe);
        var unknownTopic = await probe.ExpectMsgAsync<CommandRejected>(TimeSpan.FromSeconds(10));
        Assert.Equal(RejectionCode.UnknownTopic, unknownTopic.Code);
        Assert.Contains("does not exist", unknownTopic.Reason);

        Assert.Equal(2, (await Node.Client.PublishAsync("known", "still running")).Sequence);
    }

    [Fact]
    public async Task Bad_subscription_options_should_be_refused()
    {
        var tooShort = await Assert.ThrowsAsync<PubSubRejectedException>(() =>
            Node.Client.CreateSubscriptionAsync("opts", "s", new SubscriptionOptions { AckDeadline = TimeSpan.FromMilliseconds(10) }));
        Assert.Equal(RejectionCode.Invalid, tooShort.Code);
        Assert.Contains("between 100 ms and 1 day", tooShort.Message);

        await Node.Client.CreateSubscriptionAsync("opts", "s", new SubscriptionOptions { AckDeadline = TimeSpan.FromSeconds(5) });
        var again = await Node.Client.CreateSubscriptionAsync("opts", "s", new SubscriptionOptions { AckDeadline = TimeSpan.FromSeconds(5) });
        Assert.True(again.AlreadyExisted);
        var conflict = await Assert.ThrowsAsync<PubSubRejectedException>(() =>
            Node.Client.CreateSubscriptionAsync("opts", "s", new SubscriptionOptions { AckDeadline = TimeSpan.FromSeconds(9) }));
        Assert.Equal(RejectionCode.Conflict, conflict.Code);

        var window = await Assert.ThrowsAsync<ArgumentException>(() =>
            Node.Client.SubscribeAsync<string>("opts", "s", (_, _) => Task.CompletedTask, null, new ConsumerOptions { MaxInFlight = 0 }));
        Assert.Contains("between 1 and 100000", window.Message);

        var probe = Kit.CreateTestProbe();
        Node.Region.Tell(new Consume("opts", "s", probe.Ref, 0), probe);
        Assert.Equal(RejectionCode.Invalid, (await probe.ExpectMsgAsync<CommandRejected>(TimeSpan.FromSeconds(10))).Code);
    }

    [Fact]
    public async Task Full_topic_should_refuse_publishes_until_consumers_catch_up()
    {
        // MaxRetainedMessages = 5 and a subscription that does not consume
        await Node.Client.CreateSubscriptionAsync("full", "lagging");
        for (var i = 1; i <= 5; i++) await Node.Client.PublishAsync("full", i);

        var full = await Assert.ThrowsAsync<PubSubRejectedException>(() => Node.Client.PublishAsync("full", 6));
        Assert.Equal(RejectionCode.TopicFull, full.Code);
        Assert.Contains("max-retained-messages 5", full.Message);

        // consuming frees room
        var log = new DeliveryLog<int>();
        await using var sub = await Node.Client.SubscribeAsync<int>("full", "lagging", log.Recording);
        await Eventually.HoldsAsync(() => Node.Client.GetTopicInfoAsync("full"), i => i.RetainedMessages == 0, "the backlog drained");
        Assert.Equal(6, (await Node.Client.PublishAsync("full", 6)).Sequence);
    }

    [Fact]
    public void Unknown_options_should_be_refused_before_the_system_starts()
    {
        Assert.Contains("ConsumerMaxInFlight", Assert.Throws<ArgumentException>(() => new PubSubOptions { ConsumerMaxInFlight = -1 }.Validate()).Message);
        Assert.Contains("DefaultAckDeadline", Assert.Throws<ArgumentException>(() => new PubSubOptions { DefaultAckDeadline = TimeSpan.Zero }.Validate()).Message);
        Assert.Contains("NumberOfShards", Assert.Throws<ArgumentException>(() => new PubSubOptions { NumberOfShards = 0 }.Validate()).Message);
        Assert.Contains("needs PubSubOptions.Role", Assert.Throws<ArgumentException>(() =>
            new PubSubOptions { HostTopics = false, StandaloneCluster = false }.Validate()).Message);
        Assert.Contains("StandaloneCluster = false", Assert.Throws<ArgumentException>(() =>
            new PubSubOptions { HostTopics = false, Role = "topics" }.Validate()).Message);
    }

    [Fact]
    public async Task Resent_publish_should_be_stored_once_and_answered_with_the_original_sequence()
    {
        // arrange: an actor-native producer numbering its publishes
        var probe = Kit.CreateTestProbe();
        Publish P(long seq, long floor) => new("dedup", new Payload(4, "", [(byte)seq]), ProducerId: "producer-a", ProducerSeq: seq, ProducerFloor: floor);

        // act + assert: a resend of 1 gets the original sequence, flagged duplicate
        Node.Region.Tell(P(1, 1), probe);
        Assert.Equal((1L, 1L, false), Receipt(await probe.ExpectMsgAsync<PublishReceipt>(TimeSpan.FromSeconds(10))));
        Node.Region.Tell(P(1, 1), probe);
        Assert.Equal((1L, 1L, true), Receipt(await probe.ExpectMsgAsync<PublishReceipt>(TimeSpan.FromSeconds(10))));

        // 3 after a gap is not stored: the topic waits for 2 (lost on the way) and the in-order resend
        Node.Region.Tell(P(3, 2), probe);
        Node.Region.Tell(P(2, 2), probe);
        Assert.Equal((2L, 2L, false), Receipt(await probe.ExpectMsgAsync<PublishReceipt>(TimeSpan.FromSeconds(10))));
        Node.Region.Tell(P(3, 2), probe);
        Assert.Equal((3L, 3L, false), Receipt(await probe.ExpectMsgAsync<PublishReceipt>(TimeSpan.FromSeconds(10))));

        var info = await Node.Client.GetTopicInfoAsync("dedup");
        Assert.Equal(3, info.LastSequence);
        Assert.Equal(3, info.RetainedMessages);
        static (long, long, bool) Receipt(PublishReceipt r) => (r.ProducerSeq, r.Sequence, r.Duplicate);
    }
}
