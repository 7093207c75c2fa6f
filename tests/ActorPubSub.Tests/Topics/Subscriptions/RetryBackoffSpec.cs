using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Messages;
using ActorPubSub.Topics;

namespace ActorPubSub.Tests.Topics.Subscriptions;

/// <summary>The retry backoff of a subscription: growth, cap, jitter and validation.</summary>
[Trait("Category", "Unit")]
public sealed class RetryBackoffSpec
{
    // Enough draws that a jitter outside its bounds, or no jitter at all, shows.
    private const int Samples = 500;

    // A TimeSpan holds whole ticks (100 ns): a delay at the jitter's edge, e.g. 3 ms × 0.8, comes back as 2.4 ms
    // exactly, which as a double is a hair below 3 × 0.8 computed in doubles. One tick either side is that rounding.
    private const double TickMs = 0.0001;

    [Theory]
    [InlineData(1, 100)]
    [InlineData(2, 200)]
    [InlineData(3, 400)]
    [InlineData(4, 800)]
    [InlineData(8, 12_800)]
    public void DelayAfter_should_double_with_each_attempt_within_the_jitter(int attempt, double nominalMs)
    {
        // arrange
        var settings = Settings(TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));

        // act
        var delays = Enumerable.Range(0, Samples).Select(_ => settings.DelayAfter(attempt).TotalMilliseconds).ToList();

        // assert: within ±20% (disjoint from the neighbouring attempts' ranges), and actually jittered
        Assert.All(delays, ms => Assert.InRange(ms, nominalMs * 0.8 - TickMs, nominalMs * 1.2 + TickMs));
        Assert.True(delays.Distinct().Count() > 1);
    }

    [Theory]
    [InlineData(5)]           // 100 ms * 16 = 1.6 s, over the cap
    [InlineData(31)]          // the exponent's own limit
    [InlineData(1000)]
    [InlineData(int.MaxValue)]
    public void DelayAfter_should_stop_growing_at_the_max_backoff_give_or_take_the_jitter(int attempt)
    {
        // arrange
        var settings = Settings(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));

        // act
        var delays = Enumerable.Range(0, Samples).Select(_ => settings.DelayAfter(attempt).TotalMilliseconds).ToList();

        // assert: the jitter applies to the capped delay too, so retries at the cap still spread out
        Assert.All(delays, ms => Assert.InRange(ms, 800, 1200));
        Assert.True(delays.Distinct().Count() > 1);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void DelayAfter_should_treat_an_attempt_below_one_as_the_first(int attempt)
    {
        // arrange
        var settings = Settings(TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));

        // act
        var delays = Enumerable.Range(0, Samples).Select(_ => settings.DelayAfter(attempt).TotalMilliseconds);

        // assert
        Assert.All(delays, ms => Assert.InRange(ms, 80, 120));
    }

    [Fact]
    public void DelayAfter_should_be_zero_without_a_min_backoff()
    {
        // arrange
        var settings = Settings(TimeSpan.Zero, TimeSpan.FromSeconds(30));

        // act
        var delay = settings.DelayAfter(10);

        // assert
        Assert.Equal(TimeSpan.Zero, delay);
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 9)]
    [InlineData(3, 27)]
    public void DelayAfter_should_grow_by_the_factor(int attempt, double nominalMs)
    {
        // arrange
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(3), TimeSpan.FromHours(1), 3);

        // act
        var delays = Enumerable.Range(0, Samples).Select(_ => backoff.DelayAfter(attempt).TotalMilliseconds).ToList();

        // assert
        Assert.All(delays, ms => Assert.InRange(ms, nominalMs * 0.8 - TickMs, nominalMs * 1.2 + TickMs));
    }

    [Theory]
    [InlineData(-1, 1000, 2, "min")]
    [InlineData(2000, 1000, 2, "max")]
    [InlineData(0, 100_000_000, 2, "max")]
    [InlineData(100, 1000, 0.5, "factor")]
    [InlineData(100, 1000, 11, "factor")]
    [InlineData(100, 1000, double.NaN, "factor")]
    public void Validate_should_name_what_is_out_of_range(double minMs, double maxMs, double factor, string named)
    {
        // act
        var error = new RetryBackoff(TimeSpan.FromMilliseconds(minMs), TimeSpan.FromMilliseconds(maxMs), factor).Validate();

        // assert
        Assert.NotNull(error);
        Assert.Contains(named, error);
        Assert.Null(new RetryBackoff(TimeSpan.Zero, TimeSpan.Zero, 1).Validate());   // no backoff at all is allowed
    }

    private static RetryBackoff Settings(TimeSpan min, TimeSpan max) => new(min, max, 2);
}
