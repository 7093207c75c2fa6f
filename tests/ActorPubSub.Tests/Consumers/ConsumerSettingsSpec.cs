using Akka.Configuration;
using ActorPubSub.Hosting;
using ActorPubSub.Consumers;

namespace ActorPubSub.Tests.Consumers;

/// <summary>Consumer settings: reading and validation.</summary>
[Trait("Category", "Unit")]
public sealed class ConsumerSettingsSpec
{
    [Fact]
    public void Create_should_read_the_defaults_of_reference_conf()
    {
        // act
        var settings = ConsumerSettings.Create(PubSubConfig.Default.GetConfig("actorpubsub"));

        // assert
        Assert.Equal(new ConsumerSettings(256, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30)), settings);
    }

    [Theory]
    [InlineData(0, "MaxInFlight")]
    [InlineData(100_001, "MaxInFlight")]
    public void Validate_should_keep_the_window_between_1_and_100000(int maxInFlight, string named)
    {
        // arrange
        var settings = Settings() with { MaxInFlight = maxInFlight };

        // act
        var error = Assert.Throws<ArgumentException>(settings.Validate);

        // assert
        Assert.Contains(named, error.Message);
        (settings with { MaxInFlight = 1 }).Validate();
        (settings with { MaxInFlight = 100_000 }).Validate();
    }

    [Fact]
    public void Validate_should_refuse_non_positive_intervals()
    {
        // arrange
        var valid = Settings();

        // act / assert
        Assert.Same(valid, valid.Validate());
        Assert.Contains("HandlerTimeout", Assert.Throws<ArgumentException>((valid with { HandlerTimeout = TimeSpan.Zero }).Validate).Message);
        Assert.Contains("renew-interval", Assert.Throws<ArgumentException>((valid with { RenewInterval = TimeSpan.Zero }).Validate).Message);
    }

    private static ConsumerSettings Settings() =>
        new(MaxInFlight: 10, RenewInterval: TimeSpan.FromSeconds(2), HandlerTimeout: TimeSpan.FromSeconds(30));
}
