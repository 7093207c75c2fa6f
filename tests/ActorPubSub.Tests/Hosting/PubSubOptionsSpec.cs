using Akka.Configuration;
using ActorPubSub.Hosting;
using ActorPubSub.Consumers;
using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Topics;
using ActorPubSub.Messages;

namespace ActorPubSub.Tests.Hosting;

/// <summary>Hosting options: validation that names the option, and the HOCON they render.</summary>
[Trait("Category", "Unit")]
public sealed class PubSubOptionsSpec
{
    // Default max-message-size + deliver-batch-bytes + 64 KiB of envelope.
    private const long DefaultFrame = 1024 * 1024 + 256 * 1024 + 64 * 1024;

    private static readonly Dictionary<string, Action<PubSubOptions>> Zeroes = new()
    {
        [nameof(PubSubOptions.NumberOfShards)] = o => o.NumberOfShards = 0,
        [nameof(PubSubOptions.MaxMessageSize)] = o => o.MaxMessageSize = 0,
        [nameof(PubSubOptions.MaxRetainedMessages)] = o => o.MaxRetainedMessages = -1,
        [nameof(PubSubOptions.MaxWriteBatchMessages)] = o => o.MaxWriteBatchMessages = 0,
        [nameof(PubSubOptions.TopicIdleTimeout)] = o => o.TopicIdleTimeout = TimeSpan.FromSeconds(-1),
        [nameof(PubSubOptions.ConsumerRenewInterval)] = o => o.ConsumerRenewInterval = TimeSpan.Zero,
        [nameof(PubSubOptions.ConsumerTimeout)] = o => o.ConsumerTimeout = TimeSpan.Zero,
        [nameof(PubSubOptions.PublishResendAfter)] = o => o.PublishResendAfter = TimeSpan.Zero,
        [nameof(PubSubOptions.PublishBatchesInFlight)] = o => o.PublishBatchesInFlight = 0,
    };

    public static TheoryData<string> PositiveOptions => [.. Zeroes.Keys];

    // ---- Validate --------------------------------------------------------------------------------------

    [Fact]
    public void Validate_should_accept_options_with_nothing_set()
    {
        // arrange
        var options = new PubSubOptions();

        // act / assert
        options.Validate();
    }

    [Theory]
    [MemberData(nameof(PositiveOptions))]
    public void Validate_should_name_an_option_that_must_be_positive(string option)
    {
        // arrange
        var options = new PubSubOptions();
        Zeroes[option](options);

        // act
        var error = Assert.Throws<ArgumentException>(options.Validate);

        // assert
        Assert.StartsWith($"PubSubOptions.{option} must be positive, was ", error.Message);
    }

    [Theory]
    [InlineData(0, null, "PubSubOptions.DefaultMaxDeliveryAttempts is 0; it must be between 1 and 10000.")]
    [InlineData(10_001, null, "PubSubOptions.DefaultMaxDeliveryAttempts is 10001; it must be between 1 and 10000.")]
    [InlineData(null, -1, "PubSubOptions.DedupWindow is -00:00:01; it must be between 0 and 1 day.")]
    [InlineData(null, 86_401, "PubSubOptions.DedupWindow is 1.00:00:01; it must be between 0 and 1 day.")]
    public void Validate_should_name_delivery_options_out_of_their_range(int? attempts, int? dedupSeconds, string expected)
    {
        // arrange
        var options = new PubSubOptions
        {
            DefaultMaxDeliveryAttempts = attempts,
            DedupWindow = dedupSeconds is { } s ? TimeSpan.FromSeconds(s) : null,
        };

        // act
        var error = Assert.Throws<ArgumentException>(options.Validate);

        // assert
        Assert.Equal(expected, error.Message);
        new PubSubOptions { DefaultMaxDeliveryAttempts = 1, DedupWindow = TimeSpan.Zero }.Validate();
    }

    [Theory]
    [InlineData(99, false)]
    [InlineData(100, true)]
    [InlineData(86_400_000, true)]
    [InlineData(86_400_001, false)]
    public void Validate_should_keep_the_default_ack_deadline_between_100ms_and_a_day(int milliseconds, bool valid)
    {
        // arrange
        var options = new PubSubOptions { DefaultAckDeadline = TimeSpan.FromMilliseconds(milliseconds) };

        // act
        var error = Record.Exception(options.Validate);

        // assert
        if (valid) Assert.Null(error);
        else Assert.Contains("PubSubOptions.DefaultAckDeadline", Assert.IsType<ArgumentException>(error).Message);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(100_000, true)]
    [InlineData(100_001, false)]
    public void Validate_should_keep_the_consumer_window_between_1_and_100000(int maxInFlight, bool valid)
    {
        // arrange
        var options = new PubSubOptions { ConsumerMaxInFlight = maxInFlight };

        // act
        var error = Record.Exception(options.Validate);

        // assert
        if (valid) Assert.Null(error);
        else Assert.Equal($"PubSubOptions.ConsumerMaxInFlight is {maxInFlight}; it must be between 1 and 100000.",
            Assert.IsType<ArgumentException>(error).Message);
    }

    [Fact]
    public void Validate_should_cap_the_message_size_at_64_MiB()
    {
        // arrange
        var largest = new PubSubOptions { MaxMessageSize = 64 * 1024 * 1024 };
        var tooLarge = new PubSubOptions { MaxMessageSize = 64 * 1024 * 1024 + 1 };

        // act
        var error = Assert.Throws<ArgumentException>(tooLarge.Validate);

        // assert
        largest.Validate();
        Assert.Contains("PubSubOptions.MaxMessageSize", error.Message);
        Assert.Contains("64 MiB", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Validate_should_refuse_blank_strings_naming_the_option(string blank)
    {
        // arrange
        var role = new PubSubOptions { Role = blank };
        var postgres = new PubSubOptions { PostgreSqlConnectionString = blank };

        // act
        var roleError = Assert.Throws<ArgumentException>(role.Validate);
        var postgresError = Assert.Throws<ArgumentException>(postgres.Validate);

        // assert
        Assert.StartsWith("PubSubOptions.Role must not be blank", roleError.Message);
        Assert.StartsWith("PubSubOptions.PostgreSqlConnectionString must not be blank", postgresError.Message);
    }

    // ---- ToHocon ---------------------------------------------------------------------------------------

    [Fact]
    public void WithActorPubSub_should_refuse_SQLite_on_a_topic_node_that_joins_a_cluster()
    {
        // Reproduction for issue 13 item 7: a topic moving to another node found a different, empty SQLite file.
        // arrange
        var options = new PubSubOptions { StandaloneCluster = false, Role = "actorpubsub", SqliteFile = "data/node.db" };

        // act
        var error = Assert.Throws<ArgumentException>(() => new Akka.Hosting.AkkaConfigurationBuilder(
            new Microsoft.Extensions.DependencyInjection.ServiceCollection(), "pubsub").WithActorPubSub(options));

        // assert
        Assert.Contains("SQLite on a topic node that joins a cluster (StandaloneCluster = false) is refused", error.Message, StringComparison.Ordinal);
        Assert.Contains("PubSubOptions.PostgreSqlConnectionString", error.Message, StringComparison.Ordinal);
        Assert.Contains("AllowSqliteInCluster = true", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, null)]                     // standalone: one node, one file
    [InlineData(false, true, null)]                     // the cluster's only topic node, said so
    [InlineData(false, null, "Host=db;Database=x")]     // PostgreSQL: one database for the cluster
    public void Validate_should_accept_SQLite_where_a_topic_keeps_one_file(bool? standalone, bool? allow, string? postgres)
    {
        // arrange
        var options = new PubSubOptions { StandaloneCluster = standalone, AllowSqliteInCluster = allow, PostgreSqlConnectionString = postgres };

        // act / assert
        options.Validate();
        new PubSubOptions { StandaloneCluster = false, HostTopics = false, Role = "actorpubsub" }.Validate();   // a client opens no store
    }

    [Fact]
    public void ToHocon_should_render_no_actorpubsub_key_when_nothing_is_set()
    {
        // arrange
        var options = new PubSubOptions();

        // act
        var hocon = options.ToHocon();
        var config = ConfigurationFactory.ParseString(hocon);

        // assert: only the frame size (for the default message size) and the sharding store
        Assert.DoesNotContain("actorpubsub", hocon);
        Assert.False(config.HasPath("actorpubsub"));
        Assert.Equal(DefaultFrame, config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size"));
        Assert.Equal("ddata", config.GetString("akka.cluster.sharding.state-store-mode"));
        Assert.False(config.GetBoolean("akka.cluster.sharding.remember-entities"));
    }

    [Theory]
    [InlineData(null, ActorPubSub.Remoting.SocketTransport.ClassName)]
    [InlineData(RemoteTransport.Sockets, ActorPubSub.Remoting.SocketTransport.ClassName)]
    [InlineData(RemoteTransport.DotNetty, ActorPubSub.Remoting.SocketTransport.AkkaClassName)]
    public void ToHocon_should_select_the_remote_transport(RemoteTransport? transport, string expected)
    {
        // arrange
        var options = new PubSubOptions { RemoteTransport = transport };
        var client = new PubSubClientOptions { RemoteTransport = transport }.ToPubSubOptions();

        // act
        var config = ConfigurationFactory.ParseString(options.ToHocon());
        var clientConfig = ConfigurationFactory.ParseString(client.ToHocon());

        // assert: the class Akka.Remote instantiates, and the type it names exists
        Assert.Equal(expected, config.GetString("akka.remote.dot-netty.tcp.transport-class"));
        Assert.Equal(expected, clientConfig.GetString("akka.remote.dot-netty.tcp.transport-class"));
        Assert.NotNull(Type.GetType(expected, throwOnError: false));
    }

    [Fact]
    public void ToHocon_should_render_exactly_the_options_that_are_set()
    {
        // arrange
        var options = new PubSubOptions { ConsumerMaxInFlight = 7, ConsumerTimeout = TimeSpan.FromSeconds(9) };

        // act
        var config = ConfigurationFactory.ParseString(options.ToHocon());

        // assert
        var keys = config.GetConfig("actorpubsub").AsEnumerable().Select(e => e.Key).Order();
        Assert.Equal(["consumer", "topic"], keys);
        Assert.Equal(["max-in-flight"], config.GetConfig("actorpubsub.consumer").AsEnumerable().Select(e => e.Key));
        Assert.Equal(["consumer-timeout"], config.GetConfig("actorpubsub.topic").AsEnumerable().Select(e => e.Key));
        Assert.Equal(7, config.GetInt("actorpubsub.consumer.max-in-flight"));
        Assert.Equal(TimeSpan.FromSeconds(9), config.GetTimeSpan("actorpubsub.topic.consumer-timeout"));
    }

    [Fact]
    public void ToHocon_should_render_every_option_under_its_reference_conf_key()
    {
        // arrange
        var options = new PubSubOptions
        {
            DefaultAckDeadline = TimeSpan.FromSeconds(45),
            MaxMessageSize = 2 * 1024 * 1024,
            MaxRetainedMessages = 5000,
            MaxWriteBatchMessages = 800,
            TopicIdleTimeout = TimeSpan.FromMinutes(5),
            ConsumerTimeout = TimeSpan.FromSeconds(20),
            ConsumerMaxInFlight = 64,
            ConsumerRenewInterval = TimeSpan.FromSeconds(3),
            PublishResendAfter = TimeSpan.FromMilliseconds(1500),
            PublishBatchesInFlight = 3,
            PublishStraightToTopic = false,
            DirectDispatch = false,
        };

        // act
        var config = ConfigurationFactory.ParseString(options.ToHocon());

        // assert: each key exists in reference.conf, so none is silently ignored
        foreach (var key in new[]
                 {
                     "topic.default-ack-deadline", "topic.max-message-size",
                     "topic.max-retained-messages", "topic.max-write-batch-messages",
                     "topic.idle-timeout", "topic.consumer-timeout", "consumer.max-in-flight",
                     "consumer.renew-interval", "client.resend-after", "client.publish-batches-in-flight",
                     "client.publish-straight-to-topic", "remote.direct-dispatch",
                 })
        {
            Assert.True(config.HasPath("actorpubsub." + key), key);
            Assert.True(PubSubConfig.Default.HasPath("actorpubsub." + key), key);
        }
        Assert.Equal(64, config.GetInt("actorpubsub.consumer.max-in-flight"));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), config.GetTimeSpan("actorpubsub.client.resend-after"));
        Assert.Equal(3, config.GetInt("actorpubsub.client.publish-batches-in-flight"));
        Assert.False(config.GetBoolean("actorpubsub.client.publish-straight-to-topic", true));
        Assert.False(config.GetBoolean("actorpubsub.remote.direct-dispatch", true));
        Assert.True(PubSubConfig.Default.GetBoolean("actorpubsub.remote.direct-dispatch", false));
        Assert.False(ConfigurationFactory.ParseString(new PubSubClientOptions { DirectDispatch = false }.ToPubSubOptions().ToHocon())
            .GetBoolean("actorpubsub.remote.direct-dispatch", true));
        Assert.Equal(2 * 1024 * 1024, config.GetByteSize("actorpubsub.topic.max-message-size"));
    }

    [Fact]
    public void ToHocon_should_be_read_back_by_the_settings_over_reference_conf()
    {
        // arrange
        var options = new PubSubOptions
        {
            DefaultAckDeadline = TimeSpan.FromSeconds(45),
            MaxMessageSize = 2 * 1024 * 1024,
            MaxRetainedMessages = 5000,
            MaxWriteBatchMessages = 800,
            TopicIdleTimeout = TimeSpan.FromMinutes(5),
            ConsumerTimeout = TimeSpan.FromSeconds(20),
            ConsumerMaxInFlight = 64,
            ConsumerRenewInterval = TimeSpan.FromSeconds(3),
            DefaultMaxDeliveryAttempts = 3,
            DedupWindow = TimeSpan.FromSeconds(30),
        };

        // act
        var config = ConfigurationFactory.ParseString(options.ToHocon()).WithFallback(PubSubConfig.Default).GetConfig("actorpubsub");
        var topic = TopicSettings.Create(config);
        var consumer = ConsumerSettings.Create(config);

        // assert: the set options...
        Assert.Equal(TimeSpan.FromSeconds(45), topic.DefaultAckDeadline);
        Assert.Equal(2 * 1024 * 1024, topic.MaxMessageSize);
        Assert.Equal(5000, topic.MaxRetainedMessages);
        Assert.Equal(800, topic.MaxWriteBatchMessages);
        Assert.Equal(TimeSpan.FromMinutes(5), topic.IdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(20), topic.ConsumerTimeout);
        Assert.Equal(64, consumer.MaxInFlight);
        Assert.Equal(TimeSpan.FromSeconds(3), consumer.RenewInterval);
        Assert.Equal(3, topic.DefaultMaxDeliveryAttempts);
        Assert.Equal(TimeSpan.FromSeconds(30), topic.DedupWindow);
        // ...and the defaults of the rest
        Assert.Equal(10L * 1024 * 1024 * 1024, topic.MaxRetainedBytes);
        Assert.Equal(256, topic.DeliverBatchMessages);
        Assert.Equal(TimeSpan.FromSeconds(30), consumer.HandlerTimeout);
    }

    [Theory]
    [InlineData(1024, 1024 + 256 * 1024 + 64 * 1024)]
    [InlineData(64 * 1024 * 1024, 64 * 1024 * 1024 + 256 * 1024 + 64 * 1024)]
    public void ToHocon_should_size_remote_frames_for_the_largest_message_plus_a_delivery_batch(int maxMessageSize, long frame)
    {
        // arrange
        var options = new PubSubOptions { MaxMessageSize = maxMessageSize };

        // act
        var config = ConfigurationFactory.ParseString(options.ToHocon());

        // assert
        Assert.Equal(frame, config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size"));
    }

    [Fact]
    public void ToHocon_should_size_default_frames_from_the_reference_conf_defaults()
    {
        // arrange: the constants the frame is computed from must match reference.conf
        var topic = TopicSettings.Create(PubSubConfig.Default.GetConfig("actorpubsub"));

        // act
        var frame = ConfigurationFactory.ParseString(new PubSubOptions().ToHocon())
            .GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size");

        // assert
        Assert.Equal(PubSubOptions.DefaultMaxMessageSize, topic.MaxMessageSize);
        Assert.Equal(PubSubOptions.DeliverBatchBytes, topic.DeliverBatchBytes);
        Assert.True(frame >= topic.MaxMessageSize + topic.DeliverBatchBytes);
    }

    [Fact]
    public void ToHocon_should_apply_extra_hocon_last()
    {
        // arrange
        var options = new PubSubOptions
        {
            MaxWriteBatchMessages = 7,
            ExtraHocon = "actorpubsub.topic.max-write-batch-messages = 11\nactorpubsub.topic.tick-interval = 50ms",
        };

        // act
        var config = ConfigurationFactory.ParseString(options.ToHocon());

        // assert
        Assert.Equal(11, config.GetInt("actorpubsub.topic.max-write-batch-messages"));
        Assert.Equal(TimeSpan.FromMilliseconds(50), config.GetTimeSpan("actorpubsub.topic.tick-interval"));
    }
}
