using ActorPubSub.Node.Admin.PubSub;
using ActorPubSub.Topics;

namespace ActorPubSub.Tests.Cli;

/// <summary><c>pubsub configure</c>'s values as operators type them: sizes as in the configuration, durations with a unit.</summary>
[Trait("Category", "Unit")]
public sealed class LimitArgumentsSpec
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1500", 1500L)]
    [InlineData("512b", 512L)]
    [InlineData("10GiB", 10L << 30)]
    [InlineData("10 GiB", 10L << 30)]
    [InlineData("1.5MiB", 3L << 19)]
    [InlineData("64k", 64L << 10)]
    [InlineData("1GB", 1_000_000_000L)]
    [InlineData("2TB", 2_000_000_000_000L)]
    [InlineData("1tib", 1L << 40)]
    public void Size_should_read_bytes_and_binary_and_decimal_units(string text, long expected) =>
        Assert.Equal(expected, LimitArguments.Size(text));

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("ten")]
    [InlineData("10 parsecs")]
    [InlineData("1,5GiB")]
    [InlineData("99999999999TB")]
    public void Size_should_refuse_what_is_not_a_size(string text) => Assert.Null(LimitArguments.Size(text));

    [Theory]
    [InlineData("0", 0)]
    [InlineData("500ms", 0.5)]
    [InlineData("45s", 45)]
    [InlineData("30m", 1800)]
    [InlineData("12h", 43200)]
    [InlineData("7d", 604800)]
    [InlineData("1.5h", 5400)]
    public void Duration_should_read_a_number_with_a_unit(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), LimitArguments.Duration(text));

    [Theory]
    [InlineData("7")]
    [InlineData("7w")]
    [InlineData("-1d")]
    [InlineData("d")]
    public void Duration_should_refuse_a_number_without_a_unit_or_an_unknown_unit(string text) => Assert.Null(LimitArguments.Duration(text));

    [Theory]
    [InlineData("refuse", WhenFull.Refuse)]
    [InlineData("drop-oldest", WhenFull.DropOldest)]
    [InlineData("Drop-Oldest", WhenFull.DropOldest)]
    public void When_full_should_read_its_names(string text, WhenFull expected) => Assert.Equal(expected, LimitArguments.WhenFullOf(text));

    [Fact]
    public void When_full_should_refuse_other_names() => Assert.Null(LimitArguments.WhenFullOf("block"));
}
