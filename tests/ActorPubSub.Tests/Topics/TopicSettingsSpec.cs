using Akka.Configuration;
using ActorPubSub.Hosting;
using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Topics;

namespace ActorPubSub.Tests.Topics;

/// <summary>Topic settings read from <c>actorpubsub.topic</c> over reference.conf, and their validation.</summary>
[Trait("Category", "Unit")]
public sealed class TopicSettingsSpec
{
    [Fact]
    public void Create_should_read_the_defaults_of_reference_conf()
    {
        // act
        var settings = TopicSettings.Create(PubSubConfig.Default.GetConfig("actorpubsub"));

        // assert
        Assert.Equal(
            new TopicSettings(
                MaxMessageSize: 1024 * 1024,
                MaxRetainedMessages: 0,
                MaxRetainedBytes: 10L * 1024 * 1024 * 1024,
                UnsubscribedMaxMessages: 100_000,
                UnsubscribedMaxAge: TimeSpan.FromDays(7),
                MaxWriteBatchMessages: 4000,
                MaxWriteBatchBytes: 4 * 1024 * 1024,
                DeliverBatchMessages: 256,
                DeliverBatchBytes: 64 * 1024,
                TransientWindow: 10_000,
                DefaultAckDeadline: TimeSpan.FromSeconds(30),
                DefaultMaxDeliveryAttempts: 10,
                DefaultBackoff: new RetryBackoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), 2),
                DefaultRetention: TopicRetention.None,
                DedupWindow: TimeSpan.FromMinutes(2),
                DedupMaxIds: 1_000_000,
                TickInterval: TimeSpan.FromMilliseconds(100),
                ConsumerTimeout: TimeSpan.FromSeconds(15),
                ProducerExpiry: TimeSpan.FromMinutes(10),
                IdleTimeout: TimeSpan.FromSeconds(120),
                MinSnapshotBytes: 1024 * 1024,
                JournalPluginId: "akka.persistence.journal.actorpubsub",
                SnapshotPluginId: "akka.persistence.snapshot-store.actorpubsub"),
            settings);
    }

    [Fact]
    public void Create_should_read_overrides_and_keep_the_defaults_of_the_rest()
    {
        // arrange
        var config = ConfigurationFactory.ParseString("""
            actorpubsub {
              journal-plugin-id = "akka.persistence.journal.other"
              topic {
                max-message-size = 64 KiB
                max-retained-bytes = 10 MiB
                unsubscribed-retention { max-messages = 0, max-age = 1h }
                deliver-batch-bytes = 1000b
                default-ack-deadline = 5s
                producer-expiry = 30s
              }
            }
            """).WithFallback(PubSubConfig.Default);

        // act
        var settings = TopicSettings.Create(config.GetConfig("actorpubsub"));

        // assert
        Assert.Equal(64 * 1024, settings.MaxMessageSize);
        Assert.Equal(10L * 1024 * 1024, settings.MaxRetainedBytes);
        Assert.Equal(0, settings.UnsubscribedMaxMessages);
        Assert.Equal(TimeSpan.FromHours(1), settings.UnsubscribedMaxAge);
        Assert.Equal(1000, settings.DeliverBatchBytes);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.DefaultAckDeadline);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.ProducerExpiry);
        Assert.Equal("akka.persistence.journal.other", settings.JournalPluginId);
        Assert.Equal("akka.persistence.snapshot-store.actorpubsub", settings.SnapshotPluginId);
        Assert.Equal(0, settings.MaxRetainedMessages);
        Assert.Equal(TimeSpan.FromMilliseconds(100), settings.TickInterval);
    }

    [Theory]
    [InlineData("max-message-size", "0b")]
    [InlineData("log.page-bytes", "0b")]
    [InlineData("log.window-bytes", "0b")]
    [InlineData("max-write-batch-messages", "-1")]
    [InlineData("max-write-batch-bytes", "0b")]
    [InlineData("deliver-batch-messages", "0")]
    [InlineData("deliver-batch-bytes", "0b")]
    [InlineData("default-ack-deadline", "0s")]
    [InlineData("tick-interval", "0ms")]
    [InlineData("consumer-timeout", "0s")]
    [InlineData("idle-timeout", "0s")]
    public void Create_should_refuse_a_setting_that_must_be_positive_naming_its_key(string key, string value)
    {
        // arrange
        var config = ConfigurationFactory.ParseString($"actorpubsub.topic.{key} = {value}").WithFallback(PubSubConfig.Default);

        // act
        var error = Assert.Throws<ConfigurationException>(() => TopicSettings.Create(config.GetConfig("actorpubsub")));

        // assert
        Assert.StartsWith($"actorpubsub.topic.{key} must be positive, was ", error.Message);
    }

    [Theory]
    [InlineData("max-retained-messages = -1", "actorpubsub.topic.max-retained-messages is -1; it must be 0 (no limit) or more.")]
    [InlineData("max-retained-age = 5000d", "actorpubsub.topic.max-retained-age is 5000.00:00:00; it must be between 0 (no limit) and 3650 days.")]
    [InlineData("when-full = later", "actorpubsub.topic.when-full is 'later'; it must be refuse or drop-oldest.")]
    public void Create_should_refuse_impossible_log_limits_naming_the_key(string setting, string expected)
    {
        // arrange
        var config = ConfigurationFactory.ParseString($"actorpubsub.topic.{setting}").WithFallback(PubSubConfig.Default);

        // act
        var error = Assert.Throws<ConfigurationException>(() => TopicSettings.Create(config.GetConfig("actorpubsub")));

        // assert
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Create_should_read_the_log_limits_and_when_full()
    {
        // arrange
        var config = ConfigurationFactory.ParseString(
            "actorpubsub.topic { max-retained-messages = 500, max-retained-age = 2h, when-full = drop-oldest }").WithFallback(PubSubConfig.Default);

        // act
        var limits = TopicSettings.Create(config.GetConfig("actorpubsub")).DefaultLimits;

        // assert
        Assert.Equal(new TopicLimits(10L << 30, 500, TimeSpan.FromHours(2), WhenFull.DropOldest), limits);
    }

    [Fact]
    public void Create_should_refuse_a_negative_unsubscribed_retention()
    {
        // arrange
        var config = ConfigurationFactory.ParseString("actorpubsub.topic.unsubscribed-retention.max-messages = -1")
            .WithFallback(PubSubConfig.Default);

        // act
        var error = Assert.Throws<ConfigurationException>(() => TopicSettings.Create(config.GetConfig("actorpubsub")));

        // assert
        Assert.Contains("actorpubsub.topic.unsubscribed-retention.max-messages", error.Message);
    }

    [Fact]
    public void Validate_should_return_the_same_settings_when_they_are_valid()
    {
        // arrange
        var settings = TopicSettings.Create(PubSubConfig.Default.GetConfig("actorpubsub"));

        // act
        var validated = settings.Validate();

        // assert
        Assert.Same(settings, validated);
        Assert.Throws<ConfigurationException>(() => (settings with { TickInterval = TimeSpan.Zero }).Validate());
    }
}
