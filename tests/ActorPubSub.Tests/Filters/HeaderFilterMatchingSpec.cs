using System.Collections.Immutable;
using ActorPubSub.Filters;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Filters;

/// <summary>What a parsed filter matches: every operator, precedence, missing and null headers, numbers, escapes, names.</summary>
[Trait("Category", "Unit")]
public sealed class HeaderFilterMatchingSpec
{
    private const string Example = "type = \"order.created\" AND region IN (\"eu\",\"us\") AND NOT hasPrefix(customer, \"test-\")";

    [Theory]
    // = and != compare ordinally, and header names are case-sensitive
    [InlineData("type = \"order.created\"", "order", true)]
    [InlineData("type = \"order.refunded\"", "order", false)]
    [InlineData("type = \"ORDER.CREATED\"", "order", false)]
    [InlineData("Type = \"order.created\"", "order", false)]
    [InlineData("Type = \"upper\"", "odd", true)]
    [InlineData("type != \"order.refunded\"", "order", true)]
    [InlineData("type != \"order.created\"", "order", false)]
    [InlineData("empty = \"\"", "odd", true)]
    // < <= > >= on strings are ordinal, even when the value looks like a number
    [InlineData("region < \"fr\"", "order", true)]
    [InlineData("region < \"eu\"", "order", false)]
    [InlineData("region <= \"eu\"", "order", true)]
    [InlineData("region > \"eu\"", "order", false)]
    [InlineData("region > \"ap\"", "order", true)]
    [InlineData("region >= \"eu\"", "order", true)]
    [InlineData("region >= \"f\"", "order", false)]
    [InlineData("priority < \"9\"", "order", true)]
    [InlineData("amount = \"42.0\"", "order", false)]
    // a number literal compares numerically
    [InlineData("priority < 9", "order", false)]
    [InlineData("priority > 9", "order", true)]
    [InlineData("amount = 42", "order", true)]
    [InlineData("amount = 42.0", "order", true)]
    [InlineData("amount = 4.2e1", "order", true)]
    [InlineData("amount != 42", "order", false)]
    [InlineData("amount >= 42", "order", true)]
    [InlineData("amount > 42", "order", false)]
    [InlineData("amount <= 41.5", "order", false)]
    [InlineData("amount < 0", "refund", true)]
    [InlineData("amount = -2.5", "refund", true)]
    [InlineData("amount != 42", "refund", true)]
    // ...and is false for a value that is not a number, even with !=
    [InlineData("amount = 0", "odd", false)]
    [InlineData("amount != 0", "odd", false)]
    [InlineData("amount < 1e9", "odd", false)]
    [InlineData("nan != 0", "odd", false)]
    [InlineData("empty != 0", "odd", false)]
    // IN and NOT IN
    [InlineData("region IN (\"eu\",\"us\")", "order", true)]
    [InlineData("region IN (\"eu\",\"us\")", "refund", false)]
    [InlineData("region IN (\"EU\")", "order", false)]
    [InlineData("region NOT IN (\"eu\",\"us\")", "order", false)]
    [InlineData("region NOT IN (\"eu\",\"us\")", "refund", true)]
    [InlineData("region IN(\"eu\")", "order", true)]
    // functions
    [InlineData("hasPrefix(customer, \"test-\")", "test-order", true)]
    [InlineData("hasPrefix(customer, \"test-\")", "order", false)]
    [InlineData("hasPrefix(customer, \"\")", "order", true)]
    [InlineData("hasSuffix(type, \".created\")", "order", true)]
    [InlineData("hasSuffix(type, \".created\")", "refund", false)]
    [InlineData("contains(type, \"der.cr\")", "order", true)]
    [InlineData("contains(type, \"DER\")", "order", false)]
    [InlineData("exists(customer)", "order", true)]
    [InlineData("exists(amount)", "test-order", false)]
    [InlineData("exists(empty)", "odd", true)]
    // a missing header: everything false except != and NOT IN
    [InlineData("channel = \"web\"", "order", false)]
    [InlineData("channel != \"web\"", "order", true)]
    [InlineData("channel < \"z\"", "order", false)]
    [InlineData("channel <= \"z\"", "order", false)]
    [InlineData("channel > \"\"", "order", false)]
    [InlineData("channel >= \"\"", "order", false)]
    [InlineData("channel = 1", "order", false)]
    [InlineData("channel != 1", "order", true)]
    [InlineData("channel IN (\"web\")", "order", false)]
    [InlineData("channel NOT IN (\"web\")", "order", true)]
    [InlineData("hasPrefix(channel, \"\")", "order", false)]
    [InlineData("hasSuffix(channel, \"\")", "order", false)]
    [InlineData("contains(channel, \"\")", "order", false)]
    [InlineData("exists(channel)", "order", false)]
    [InlineData("NOT channel = \"web\"", "order", true)]
    // null headers and empty headers behave as all missing
    [InlineData("type = \"order.created\"", "none", false)]
    [InlineData("type != \"order.created\"", "none", true)]
    [InlineData("type NOT IN (\"x\")", "none", true)]
    [InlineData("amount > 0", "none", false)]
    [InlineData("exists(type)", "none", false)]
    [InlineData("NOT exists(type)", "none", true)]
    [InlineData("contains(type, \"\")", "none", false)]
    [InlineData("type = \"order.created\"", "empty", false)]
    [InlineData("type != \"order.created\"", "empty", true)]
    // AND, OR, NOT, parentheses, and precedence NOT > AND > OR
    [InlineData("type = \"order.created\" AND region = \"us\"", "order", false)]
    [InlineData("type = \"order.created\" AND region = \"us\"", "test-order", true)]
    [InlineData("type = \"order.refunded\" OR region = \"eu\"", "order", true)]
    [InlineData("type = \"order.refunded\" OR region = \"us\"", "order", false)]
    [InlineData("region = \"eu\" OR region = \"us\" AND type = \"order.refunded\"", "order", true)]
    [InlineData("(region = \"eu\" OR region = \"us\") AND type = \"order.refunded\"", "order", false)]
    [InlineData("NOT region = \"eu\" AND type = \"order.refunded\"", "order", false)]
    [InlineData("NOT (region = \"eu\" AND type = \"order.refunded\")", "order", true)]
    [InlineData("NOT region = \"us\" OR type = \"x\"", "order", true)]
    [InlineData("NOT NOT exists(type)", "order", true)]
    [InlineData("((exists(type)))", "order", true)]
    [InlineData("exists(a) OR exists(b) OR exists(customer)", "order", true)]
    [InlineData("exists(type) AND exists(region) AND exists(channel)", "order", false)]
    // the example from the brief
    [InlineData(Example, "order", true)]
    [InlineData(Example, "test-order", false)]
    [InlineData(Example, "refund", false)]
    [InlineData(Example, "none", false)]
    // escapes in string literals
    [InlineData("quote = \"say \\\"hi\\\"\"", "odd", true)]
    [InlineData("path = \"c:\\\\tmp\"", "odd", true)]
    [InlineData("contains(quote, \"\\\"\")", "odd", true)]
    // names: identifiers with dots and dashes, and anything in backticks (including keywords)
    [InlineData("x.y-z = \"dotted\"", "odd", true)]
    [InlineData("`content type` = \"json\"", "odd", true)]
    [InlineData("`in` = \"yes\"", "odd", true)]
    [InlineData("`type` = \"order.created\"", "order", true)]
    [InlineData("exists(`content type`)", "odd", true)]
    [InlineData("`content type` IN (\"xml\", \"json\")", "odd", true)]
    // whitespace is optional between tokens
    [InlineData("type=\"order.created\"AND(region=\"eu\")", "order", true)]
    [InlineData("  amount>=-3\t", "refund", true)]
    public void Matches_should_evaluate_the_filter_against_the_headers(string expression, string headers, bool expected)
    {
        // arrange
        var filter = HeaderFilter.Parse(expression);

        // act
        var matches = filter.Matches(HeaderSets.Get(headers));

        // assert
        Assert.Equal(expected, matches);
    }

    [Theory]
    [InlineData("type = \"order.created\" and region in (\"eu\") AND not hasprefix(customer, \"test-\")")]
    [InlineData("TYPE = \"x\" Or type = \"order.created\"")]
    [InlineData("region NoT In (\"us\") aNd EXISTS(type) AND HasSuffix(type, \"created\") anD CONTAINS(type, \".\")")]
    [InlineData("NOT not exists(type)")]
    public void Parse_should_accept_keywords_and_function_names_in_any_case(string expression)
    {
        // arrange
        var filter = HeaderFilter.Parse(expression);

        // act
        var matches = filter.Matches(HeaderSets.Get("order"));

        // assert (TYPE is a different header than type, and is missing; the other conditions hold)
        Assert.True(matches);
    }

    [Fact]
    public void Matches_should_read_any_dictionary_of_headers()
    {
        // arrange
        var filter = HeaderFilter.Parse(Example);
        var headers = new Dictionary<string, string> { ["type"] = "order.created", ["region"] = "us", ["customer"] = "acme" };

        // act
        var matches = filter.Matches(headers);

        // assert
        Assert.True(matches);
    }

    [Fact]
    public void Expression_should_be_the_filter_as_written()
    {
        // act
        var filter = HeaderFilter.Parse("  exists(type)  ");

        // assert
        Assert.Equal("  exists(type)  ", filter.Expression);
        Assert.Equal("  exists(type)  ", filter.ToString());
    }

    [Fact]
    public void Matches_should_not_allocate()
    {
        // arrange: every kind of node, against headers of both dictionary types
        var filter = HeaderFilter.Parse(
            Example + " AND amount >= 10 AND priority != \"x\" AND contains(type, \".\") AND hasSuffix(type, \"d\") " +
            "AND region NOT IN (\"apac\") AND exists(amount) AND (channel = \"x\" OR region < \"z\")");
        var immutable = HeaderSets.Get("order")!;
        var mutable = new Dictionary<string, string>(immutable);
        Assert.True(filter.Matches(immutable));
        Assert.True(filter.Matches(mutable));

        // act
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            filter.Matches(immutable);
            filter.Matches(mutable);
            filter.Matches(null);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // assert
        Assert.Equal(0, allocated);
    }
}
