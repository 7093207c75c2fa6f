using System.Text.Json.Nodes;
using ActorPubSub.Cli;

namespace ActorPubSub.Tests.Cli;

/// <summary>pbm's parser of a command's arguments, driven by the command's definition (as a host sends it).</summary>
[Trait("Category", "Unit")]
public sealed class ArgumentParserSpec
{
    private static readonly CommandSpec Publish = new("pubsub", "publish", "/admin/v1/pubsub/publish", "publishes", "pbm pubsub publish <topic> <text> ...", false,
    [
        new("topic", "positional", "string", true, false, null, null, null, "<topic>", "the topic"),
        new("text", "positional", "string", true, false, null, null, null, "<text>", "the message"),
        new("key", "option", "string", false, false, "k", null, null, "-k|--key <key>", "the key"),
        new("header", "option", "string", false, true, "H", null, null, "-H|--header <name=value>...", "a header"),
    ]);

    private static readonly CommandSpec Redrive = new("pubsub", "dlq redrive", "/admin/v1/pubsub/dlq/redrive", "redrives", "pbm pubsub dlq redrive ...", false,
    [
        new("topic", "positional", "string", true, false, null, null, null, "<topic>", "the topic"),
        new("sequence", "positional", "integer", false, true, null, 1, null, "<sequence>...", "sequences"),
        new("all", "flag", "boolean", false, false, null, null, null, "--all", "all"),
        new("limit", "option", "integer", false, false, "n", 1, 1000, "-n|--limit <limit>", "limit"),
    ]);

    [Fact]
    public void Parser_should_take_positionals_short_and_long_options_inline_values_and_repeated_options()
    {
        // act
        var json = ArgumentParser.Parse(Publish, ["orders", "hello world", "-k", "c7", "--header=a=1", "-H", "b=2"]);

        // assert
        Assert.Equal("""{"topic":"orders","text":"hello world","key":"c7","header":["a=1","b=2"]}""", json.ToJsonString());
    }

    [Fact]
    public void Parser_should_take_repeated_integer_positionals_flags_and_values_after_a_double_dash()
    {
        // act
        var json = ArgumentParser.Parse(Redrive, ["orders", "3", "--all", "-n", "5", "--", "7"]);
        var dashed = ArgumentParser.Parse(Publish, ["orders", "--", "-starts-with-a-dash"]);

        // assert
        Assert.Equal("""{"topic":"orders","sequence":[3,7],"all":true,"limit":5}""", json.ToJsonString());
        Assert.Equal("-starts-with-a-dash", dashed["text"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(new[] { "orders" }, "<text> is required")]
    [InlineData(new[] { "orders", "x", "-z" }, "unknown option -z for pubsub publish; its options are -k|--key <key>")]
    [InlineData(new[] { "orders", "x", "-k" }, "-k|--key needs a value")]
    [InlineData(new[] { "orders", "x", "extra" }, "unexpected argument 'extra'")]
    [InlineData(new[] { "orders", "x", "-k", "a", "--key", "b" }, "-k|--key is given twice")]
    [InlineData(new[] { "orders", "" }, "<text> must not be empty")]
    public void Parser_should_refuse_a_bad_command_line_with_what_is_wrong_and_the_usage(string[] args, string expected)
    {
        // act
        var error = Assert.Throws<PbmException>(() => ArgumentParser.Parse(Publish, args));

        // assert
        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(Publish.Usage, error.Usage);
    }

    [Theory]
    [InlineData(new[] { "orders", "x" }, "<sequence> must be an integer of at least 1, not 'x'")]
    [InlineData(new[] { "orders", "0" }, "<sequence> must be an integer of at least 1, not '0'")]
    [InlineData(new[] { "orders", "-n", "1001" }, "-n|--limit must be an integer between 1 and 1000, not '1001'")]
    [InlineData(new[] { "orders", "--all=yes" }, "--all is a flag and takes no value")]
    public void Parser_should_check_integers_and_flags(string[] args, string expected)
    {
        var error = Assert.Throws<PbmException>(() => ArgumentParser.Parse(Redrive, args));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parser_should_give_no_arguments_as_an_empty_object()
    {
        var show = new CommandSpec("cluster", "show", "/admin/v1/cluster/show", "", "pbm cluster show", false, []);
        Assert.Equal(new JsonObject().ToJsonString(), ArgumentParser.Parse(show, []).ToJsonString());
        Assert.Contains("takes no positional arguments", Assert.Throws<PbmException>(() => ArgumentParser.Parse(show, ["x"])).Message, StringComparison.Ordinal);
    }
}
