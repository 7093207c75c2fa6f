using Akka.Actor;
using Akka.Event;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Log;
using ActorPubSub.Tests.Topics.Log;
using static ActorPubSub.Tests.Topics.TopicParts;

namespace ActorPubSub.Tests.Topics;

/// <summary>The administrative commands: checked, applied to the parts, turned into events and a reply.</summary>
[Trait("Category", "Unit")]
public sealed class TopicCommandsSpec
{
    private readonly MessageLog _log = LogOf(3);
    private readonly List<IActorRef> _unwatched = [];
    private readonly SubscriptionTable _table;
    private readonly PublishGate _gate;
    private readonly RetentionPolicy _retention;
    private readonly TopicCommands _commands;

    public TopicCommandsSpec()
    {
        var settings = DefaultSettings();
        _table = Table(_log, settings);
        _gate = new PublishGate(Topic, settings, NoLogger.Instance);
        _gate.Appended(new MessagesAppended([.. Enumerable.Range(1, 3).Select(seq => _log.Get(seq))], []), replay: false, now: 0);
        _retention = new RetentionPolicy(Topic, settings, _log, _table);
        _commands = new TopicCommands(Topic, new TopicRequests(Topic, settings), _table, _log, _gate, _retention,
            _unwatched.Add, NoLogger.Instance);
    }

    private static CreateSubscription Create(string name = "billing", StartPosition start = StartPosition.Earliest,
        int maxDeliveryAttempts = 0) =>
        new(Topic, name, start, TimeSpan.Zero, maxDeliveryAttempts);

    [Fact]
    public void Create_should_add_the_subscription_and_write_it_before_answering()
    {
        // act
        var verdict = _commands.Create(Create(start: StartPosition.Latest));

        // assert: from Latest, everything accepted so far counts as acknowledged
        var write = Assert.IsType<TopicCommands.Write>(verdict);
        var added = Assert.IsType<SubscriptionAdded>(Assert.Single(write.Events));
        Assert.Equal(3, added.Watermark);
        Assert.Equal(new SubscriptionCreated(Topic, "billing", 3, AlreadyExisted: false), write.Message);
        Assert.Equal(Then.Write, write.Then);
        Assert.True(_table.TryGet("billing", out _));
    }

    [Fact]
    public void Create_should_answer_an_existing_subscription_after_the_write_and_refuse_other_options()
    {
        // arrange
        _commands.Create(Create());

        // act
        var same = _commands.Create(Create());
        var conflicting = _commands.Create(Create(maxDeliveryAttempts: 3));

        // assert
        Assert.True(Assert.IsType<SubscriptionCreated>(Assert.IsType<TopicCommands.ReplyAfterWrite>(same).Message).AlreadyExisted);
        var rejected = Assert.IsType<CommandRejected>(Assert.IsType<TopicCommands.ReplyAfterWrite>(conflicting).Message);
        Assert.Equal(RejectionCode.Conflict, rejected.Code);
    }

    [Fact]
    public void Delete_should_tell_its_consumers_and_stop_watching_them()
    {
        // arrange
        _commands.Create(Create());
        var sub = _table.Get("billing");
        var consumer = new StandInRef("c");
        SubscriptionTable.Consume(sub, new Consume(Topic, "billing", consumer, 10), now: 0);

        // act
        var verdict = _commands.Delete(new DeleteSubscription(Topic, "billing"));

        // assert
        var write = Assert.IsType<TopicCommands.Write>(verdict);
        Assert.Equal(new SubscriptionRemoved("billing"), Assert.Single(write.Events));
        Assert.Equal(RejectionCode.UnknownSubscription, Assert.IsType<CommandRejected>(Assert.Single(consumer.Received)).Code);
        Assert.Same(consumer, Assert.Single(_unwatched));
        Assert.Equal(new SubscriptionDeleted(Topic, "billing", Existed: false),
            Assert.IsType<TopicCommands.ReplyAfterWrite>(_commands.Delete(new DeleteSubscription(Topic, "billing"))).Message);
    }

    [Fact]
    public void Seek_should_write_earlier_acks_before_the_cursor_move()
    {
        // arrange
        _commands.Create(Create());
        var sub = _table.Get("billing");
        sub.Ack(2);

        // act
        var verdict = _commands.Seek(new Seek(Topic, "billing", Sequence: 3, Timestamp: null), now: 0);

        // assert
        var write = Assert.IsType<TopicCommands.Write>(verdict);
        Assert.IsType<AcksRecorded>(write.Events[0]);
        Assert.Equal(new CursorMoved("billing", 3), write.Events[1]);
        Assert.Equal(2, sub.Watermark);
    }

    [Fact]
    public void Seek_should_refuse_an_unknown_subscription_and_a_position_outside_the_topic()
    {
        // arrange
        _commands.Create(Create());

        // act
        var unknown = Assert.IsType<TopicCommands.Reply>(_commands.Seek(new Seek(Topic, "audit", 1, null), now: 0));
        var outside = Assert.IsType<TopicCommands.Reply>(_commands.Seek(new Seek(Topic, "billing", 9, null), now: 0));

        // assert
        Assert.Equal(Then.PassivateIfUnknown, unknown.Then);
        Assert.Equal(RejectionCode.UnknownSubscription, Assert.IsType<CommandRejected>(unknown.Message).Code);
        Assert.Equal(RejectionCode.Invalid, Assert.IsType<CommandRejected>(outside.Message).Code);
    }

    [Fact]
    public void Configure_should_set_the_retention_and_write_it()
    {
        // act
        var retention = new TopicRetention(TimeSpan.FromHours(1), 10);
        var write = Assert.IsType<TopicCommands.Write>(_commands.Configure(new ConfigureTopic(Topic, retention)));

        // assert
        Assert.Equal(new RetentionChanged(retention), Assert.Single(write.Events));
        Assert.Same(retention, _retention.Configured);
    }

    [Fact]
    public void Configure_should_set_the_limits_write_them_and_answer_what_is_in_effect()
    {
        // act
        var limits = new TopicLimits(10L << 30, 50, TimeSpan.FromDays(7), WhenFull.DropOldest);
        var write = Assert.IsType<TopicCommands.Write>(_commands.Configure(new ConfigureTopic(Topic, null, limits)));

        // assert: the retention stays the node's default; the write is followed by the truncation to the new limits
        Assert.Equal(new LimitsChanged(limits), Assert.Single(write.Events));
        Assert.Same(limits, _retention.ConfiguredLimits);
        Assert.Null(_retention.Configured);
        Assert.Equal(new TopicConfigured(Topic, _retention.Effective, limits), write.Message);
        Assert.True(write.Then.HasFlag(Then.Write));
        Assert.True(write.Then.HasFlag(Then.Trim));
    }

    [Fact]
    public void Configure_should_write_retention_and_limits_in_one_write()
    {
        // act
        var retention = new TopicRetention(TimeSpan.FromHours(1), 10);
        var limits = new TopicLimits(0, 100, TimeSpan.Zero, WhenFull.Refuse);
        var write = Assert.IsType<TopicCommands.Write>(_commands.Configure(new ConfigureTopic(Topic, retention, limits)));

        // assert
        Assert.Equal([new RetentionChanged(retention), new LimitsChanged(limits)], write.Events);
        Assert.Equal(new TopicConfigured(Topic, retention, limits), write.Message);
    }

    [Theory]
    [InlineData(-1, 0, 0, WhenFull.Refuse, "Max bytes is -1")]
    [InlineData(0, -5, 0, WhenFull.Refuse, "Max messages is -5")]
    [InlineData(0, 0, -1, WhenFull.Refuse, "Max age is -")]
    [InlineData(0, 0, 0, (WhenFull)7, "When-full is 7; it must be refuse or drop-oldest")]
    public void Configure_should_refuse_invalid_limits_saying_what_is_allowed(long maxBytes, long maxMessages, int maxAgeDays, WhenFull whenFull, string expected)
    {
        // act
        var limits = new TopicLimits(maxBytes, maxMessages, TimeSpan.FromDays(maxAgeDays), whenFull);
        var reply = Assert.IsType<TopicCommands.Reply>(_commands.Configure(new ConfigureTopic(Topic, null, limits)));

        // assert: nothing changed
        var rejected = Assert.IsType<CommandRejected>(reply.Message);
        Assert.Equal(RejectionCode.Invalid, rejected.Code);
        Assert.Contains(expected, rejected.Reason, StringComparison.Ordinal);
        Assert.Contains($"Invalid limits for topic '{Topic}'", rejected.Reason, StringComparison.Ordinal);
        Assert.Null(_retention.ConfiguredLimits);
    }

    [Fact]
    public void Configure_should_refuse_a_command_with_neither_retention_nor_limits()
    {
        // act
        var reply = Assert.IsType<TopicCommands.Reply>(_commands.Configure(new ConfigureTopic(Topic, null)));

        // assert
        var rejected = Assert.IsType<CommandRejected>(reply.Message);
        Assert.Equal(RejectionCode.Invalid, rejected.Code);
        Assert.Equal("ConfigureTopic needs a retention, limits, or both.", rejected.Reason);
    }

    [Fact]
    public void Configure_should_check_the_retention_against_the_new_max_messages()
    {
        // act: the retention may keep at most as many messages as the limits allow
        var limits = new TopicLimits(0, 20, TimeSpan.Zero, WhenFull.Refuse);
        var reply = Assert.IsType<TopicCommands.Reply>(
            _commands.Configure(new ConfigureTopic(Topic, new TopicRetention(TimeSpan.FromHours(1), 30), limits)));

        // assert
        Assert.Contains("max-retained-messages (20)", Assert.IsType<CommandRejected>(reply.Message).Reason, StringComparison.Ordinal);
    }
}
