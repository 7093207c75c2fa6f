using Akka.Configuration;
using ActorPubSub.Hosting;
using ActorPubSub.Subscriptions;

namespace ActorPubSub.Tests.Subscriptions;

/// <summary>Consumer settings: reading and validation, and the nack backoff.</summary>
[Trait("Category", "Unit")]
public sealed class ConsumerSettingsSpec
{
    // Enough draws that a jitter outside its bounds, or no jitter at all, shows.
    private const int Samples = 500;

    [Fact]
    public void Create_should_read_the_defaults_of_reference_conf()
    {
        // act
        var settings = ConsumerSettings.Create(PubSubConfig.Default.GetConfig("actorpubsub"));

        // assert
        Assert.Equal(new ConsumerSettings(256, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30)), settings);
    }

    [Fact]
    public void Create_should_refuse_a_max_backoff_below_the_min()
    {
        // arrange
        var config = ConfigurationFactory.ParseString("actorpubsub.consumer { retry-min-backoff = 2s, retry-max-backoff = 1s }")
            .WithFallback(PubSubConfig.Default);

        // act
        var error = Assert.Throws<ArgumentException>(() => ConsumerSettings.Create(config.GetConfig("actorpubsub")));

        // assert
        Assert.Contains("retry backoff", error.Message);
    }

    [Theory]
    [InlineData(0, "MaxInFlight")]
    [InlineData(100_001, "MaxInFlight")]
    public void Validate_should_keep_the_window_between_1_and_100000(int maxInFlight, string named)
    {
        // arrange
        var settings = Settings(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)) with { MaxInFlight = maxInFlight };

        // act
        var error = Assert.Throws<ArgumentException>(settings.Validate);

        // assert
        Assert.Contains(named, error.Message);
        (settings with { MaxInFlight = 1 }).Validate();
        (settings with { MaxInFlight = 100_000 }).Validate();
    }

    [Fact]
    public void Validate_should_refuse_non_positive_intervals_and_a_negative_min_backoff()
    {
        // arrange
        var valid = Settings(TimeSpan.Zero, TimeSpan.Zero);   // no backoff at all is allowed

        // act / assert
        Assert.Same(valid, valid.Validate());
        Assert.Contains("HandlerTimeout", Assert.Throws<ArgumentException>((valid with { HandlerTimeout = TimeSpan.Zero }).Validate).Message);
        Assert.Contains("renew-interval", Assert.Throws<ArgumentException>((valid with { RenewInterval = TimeSpan.Zero }).Validate).Message);
        Assert.Throws<ArgumentException>((valid with { RetryMinBackoff = TimeSpan.FromMilliseconds(-1) }).Validate);
    }

    [Theory]
    [InlineData(1, 100)]
    [InlineData(2, 200)]
    [InlineData(3, 400)]
    [InlineData(4, 800)]
    [InlineData(8, 12_800)]
    public void BackoffFor_should_double_with_each_attempt_within_the_jitter(int attempt, double nominalMs)
    {
        // arrange
        var settings = Settings(TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));

        // act
        var delays = Enumerable.Range(0, Samples).Select(_ => settings.BackoffFor(attempt).TotalMilliseconds).ToList();

        // assert: within ±20% (disjoint from the neighbouring attempts' ranges), and actually jittered
        Assert.All(delays, ms => Assert.InRange(ms, nominalMs * 0.8, nominalMs * 1.2));
        Assert.True(delays.Distinct().Count() > 1);
    }

    [Theory]
    [InlineData(5)]           // 100 ms * 16 = 1.6 s, over the cap
    [InlineData(31)]          // the exponent's own limit
    [InlineData(1000)]
    [InlineData(int.MaxValue)]
    public void BackoffFor_should_stop_growing_at_the_max_backoff_give_or_take_the_jitter(int attempt)
    {
        // arrange
        var settings = Settings(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));

        // act
        var delays = Enumerable.Range(0, Samples).Select(_ => settings.BackoffFor(attempt).TotalMilliseconds).ToList();

        // assert: the jitter applies to the capped delay too, so retries at the cap still spread out
        Assert.All(delays, ms => Assert.InRange(ms, 800, 1200));
        Assert.True(delays.Distinct().Count() > 1);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void BackoffFor_should_treat_an_attempt_below_one_as_the_first(int attempt)
    {
        // arrange
        var settings = Settings(TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));

        // act
        var delays = Enumerable.Range(0, Samples).Select(_ => settings.BackoffFor(attempt).TotalMilliseconds);

        // assert
        Assert.All(delays, ms => Assert.InRange(ms, 80, 120));
    }

    [Fact]
    public void BackoffFor_should_be_zero_without_a_min_backoff()
    {
        // arrange
        var settings = Settings(TimeSpan.Zero, TimeSpan.FromSeconds(30));

        // act
        var delay = settings.BackoffFor(10);

        // assert
        Assert.Equal(TimeSpan.Zero, delay);
    }

    private static ConsumerSettings Settings(TimeSpan min, TimeSpan max) =>
        new(MaxInFlight: 10, RenewInterval: TimeSpan.FromSeconds(2), HandlerTimeout: TimeSpan.FromSeconds(30), min, max);
}
