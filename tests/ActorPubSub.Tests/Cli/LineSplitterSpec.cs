using ActorPubSub.Cli;

namespace ActorPubSub.Tests.Cli;

/// <summary>How the prompt splits a typed line into words (like a shell) and how tables are laid out.</summary>
[Trait("Category", "Unit")]
public sealed class LineSplitterSpec
{
    [Theory]
    [InlineData("cluster show", new[] { "cluster", "show" })]
    [InlineData("  pubsub   publish orders  \"hello world\" ", new[] { "pubsub", "publish", "orders", "hello world" })]
    [InlineData("pubsub publish orders 'it''s' -H a=\"b c\"", new[] { "pubsub", "publish", "orders", "its", "-H", "a=b c" })]
    [InlineData("pubsub publish orders \"say \\\"hi\\\"\"", new[] { "pubsub", "publish", "orders", "say \"hi\"" })]
    [InlineData("pubsub publish orders a\\ b", new[] { "pubsub", "publish", "orders", "a b" })]
    [InlineData("pubsub publish orders ''", new[] { "pubsub", "publish", "orders", "" })]
    public void Splitter_should_split_like_a_shell(string line, string[] expected) =>
        Assert.Equal(expected, LineSplitter.Split(line));

    [Fact]
    public void Splitter_should_refuse_an_unterminated_quote() =>
        Assert.Equal(ExitCodes.Usage, Assert.Throws<PbmException>(() => LineSplitter.Split("pubsub publish orders \"oops")).ExitCode);

    [Fact]
    public void Table_should_pad_columns_and_right_align_numbers()
    {
        // act
        var lines = TextTable.Render(["TOPIC", "LAST SEQ", "NODE"], [["orders", "1,234", "akka.tcp://a@h:1"], ["invoices-eu", "7", "akka.tcp://a@h:2"]]).ToList();

        // assert
        Assert.Equal(
        [
            "TOPIC        LAST SEQ  NODE",
            "orders          1,234  akka.tcp://a@h:1",
            "invoices-eu         7  akka.tcp://a@h:2",
        ], lines);
    }
}
