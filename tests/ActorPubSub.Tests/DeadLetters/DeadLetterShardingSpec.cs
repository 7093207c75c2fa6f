using Akka.Actor;
using Akka.Configuration;
using ActorPubSub.DeadLetters;
using ActorPubSub.Hosting;
using ActorPubSub.Topics;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.DeadLetters;

/// <summary>The sharding glue and the settings of dead-letter stores.</summary>
[Trait("Category", "Unit")]
public sealed class DeadLetterShardingSpec
{
    [Fact]
    public void Extractor_should_route_every_command_of_a_subscription_to_one_entity()
    {
        // arrange
        var extractor = new DeadLetterMessageExtractor(100);
        object[] commands =
        [
            new StoreDeadLetters("orders", "billing", Guid.NewGuid(), []),
            new ListDeadLetters("orders", "billing", 0, 10),
            new GetDeadLetter("orders", "billing", 1),
            new RedriveDeadLetters("orders", "billing", []),
            new PurgeDeadLetters("orders", "billing", []),
        ];

        // act / assert
        Assert.All(commands, c => Assert.Equal("orders:billing", extractor.EntityId(c)));
        Assert.Single(commands.Select(c => extractor.ShardId(extractor.EntityId(c)!, c)).Distinct());
        Assert.Same(commands[0], extractor.EntityMessage(commands[0]));
    }

    [Theory]
    [InlineData("bad topic", "billing")]
    [InlineData("orders", "bad:sub")]
    [InlineData("", "billing")]
    [InlineData("orders", "")]
    public void Extractor_should_drop_commands_with_invalid_names(string topic, string subscription)
    {
        Assert.Null(new DeadLetterMessageExtractor(100).EntityId(new ListDeadLetters(topic, subscription, 0, 10)));
    }

    [Fact]
    public void Extractor_should_drop_messages_that_are_not_dead_letter_commands()
    {
        var extractor = new DeadLetterMessageExtractor(100);

        Assert.Null(extractor.EntityId(new GetTopicInfo("orders")));
        Assert.Null(extractor.EntityId(new DeadLettersStored("orders", "billing", Guid.NewGuid(), 1)));
    }

    [Fact]
    public void Entity_id_should_parse_back_to_topic_and_subscription()
    {
        var id = DeadLetterEntityId.Of("orders.eu-1", "billing_v2");

        Assert.Equal(("orders.eu-1", "billing_v2"), DeadLetterEntityId.Parse(id));
        Assert.Equal("deadletters:orders.eu-1:billing_v2", DeadLetterEntityId.PersistenceId("orders.eu-1", "billing_v2"));
    }

    [Theory]
    [InlineData("orders", "no ':'")]
    [InlineData("orders:", "subscription name is required")]
    [InlineData(":billing", "topic name is required")]
    [InlineData("orders:bill:ing", "position 4")]
    public void Entity_id_should_refuse_ids_that_are_not_two_valid_names(string entityId, string expected)
    {
        var e = Assert.Throws<FormatException>(() => DeadLetterEntityId.Parse(entityId));

        Assert.Contains(expected, e.Message);
        Assert.False(DeadLetterEntityId.TryParse(entityId, out _, out _, out _));
    }

    [Fact]
    public void Settings_should_read_the_defaults_of_reference_conf()
    {
        var settings = DeadLetterSettings.Create(PubSubConfig.Default.GetConfig("actorpubsub"));

        Assert.Equal(
            new DeadLetterSettings(500, TimeSpan.FromSeconds(120), 10_000, 100, 1024 * 1024, TimeSpan.FromSeconds(10), 1024 * 1024,
                "akka.persistence.journal.actorpubsub", "akka.persistence.snapshot-store.actorpubsub"),
            settings);
    }

    [Fact]
    public void Settings_should_be_read_from_the_actor_system()
    {
        using var system = ActorSystem.Create("settings", ConfigurationFactory
            .ParseString("actorpubsub.dead-letters.redrive-batch = 7")
            .WithFallback(PubSubConfig.Default));

        Assert.Equal(7, DeadLetterSettings.Create(system).RedriveBatch);
    }

    [Theory]
    [InlineData("snapshot-every = 0")]
    [InlineData("idle-timeout = 0s")]
    [InlineData("warn-above = -1")]
    [InlineData("redrive-batch = 0")]
    [InlineData("redrive-batch-bytes = 0")]
    [InlineData("redrive-timeout = 0s")]
    [InlineData("page-max-bytes = 0")]
    public void Settings_should_refuse_a_value_that_cannot_work_naming_the_key(string setting)
    {
        var config = ConfigurationFactory.ParseString("actorpubsub.dead-letters." + setting).WithFallback(PubSubConfig.Default);

        var e = Assert.Throws<ConfigurationException>(() => DeadLetterSettings.Create(config.GetConfig("actorpubsub")));

        Assert.Contains("actorpubsub.dead-letters." + setting.Split(' ')[0], e.Message);
    }

    [Fact]
    public void Settings_should_refuse_a_byte_size_above_2_GiB()
    {
        var config = ConfigurationFactory.ParseString("actorpubsub.dead-letters.page-max-bytes = 3 GiB").WithFallback(PubSubConfig.Default);

        var e = Assert.Throws<ConfigurationException>(() => DeadLetterSettings.Create(config.GetConfig("actorpubsub")));

        Assert.Contains("actorpubsub.dead-letters.page-max-bytes", e.Message);
    }
}
