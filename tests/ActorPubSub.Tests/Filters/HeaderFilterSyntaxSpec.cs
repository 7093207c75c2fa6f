using ActorPubSub.Filters;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Filters;

/// <summary>Malformed filters and limits: each error names the right position and says what was wrong.</summary>
[Trait("Category", "Unit")]
public sealed class HeaderFilterSyntaxSpec
{
    private static string Nested(int depth) => new string('(', depth) + "exists(type)" + new string(')', depth);

    private static string Nots(int count) => string.Concat(Enumerable.Repeat("NOT ", count)) + "exists(type)";

    private static string InList(int values) =>
        "region IN (" + string.Join(", ", Enumerable.Range(0, values).Select(i => $"\"{i:D3}\"")) + ")";

    // A filter of exactly the given length: type = "xxx…".
    private static string OfLength(int length) => "type = \"" + new string('x', length - 9) + "\"";

    public static TheoryData<string, int, string> Malformed => new()
    {
        // empty and too long
        { "", 0, "the filter is empty" },
        { "  \t ", 0, "the filter is empty" },
        { OfLength(FilterLimits.MaxLength + 1), 4096, "4097 characters long; at most 4096" },
        // string literals and names
        { "type = \"abc", 7, "unterminated string literal" },
        { "type = \"abc\\\"", 7, "unterminated string literal" },
        { "type = \"a\\nb\"", 9, "unknown escape '\\n'" },
        { "type = 'x'", 7, "string literals are written in double quotes" },
        { "`type = \"x\"", 0, "unterminated name in backticks" },
        { "`` = \"x\"", 0, "empty name in backticks" },
        { "типа = \"x\"", 0, "unexpected character 'т'" },
        // numbers
        { "amount > 1.2.3", 9, "invalid number '1.2.3'" },
        { "amount > 5kg", 9, "invalid number '5kg'" },
        { "amount > 1e", 9, "invalid number '1e'" },
        { "amount > 2.", 9, "invalid number '2.'" },
        { "amount > 1e999", 9, "number '1e999' is out of range" },
        // operators
        { "type = AND x", 7, "expected a string or number literal after '=' but found 'AND'" },
        { "type >= region", 8, "expected a string or number literal after '>=' but found 'region'" },
        { "type \"x\"", 5, "expected an operator (=, !=, <, <=, >, >=, IN or NOT IN) after header 'type' but found '\"x\"'" },
        { "type", 4, "expected an operator" },
        { "type == \"x\"", 5, "compare with a single '='" },
        { "type ! \"x\"", 5, "write != for not-equal or NOT to negate" },
        { "type NOT = \"x\"", 9, "expected IN after 'type NOT'" },
        { "\"x\" = type", 0, "expected a condition (a header name, a function call, NOT or '(') at the start of the filter but found '\"x\"'" },
        { "and = \"x\"", 0, "at the start of the filter but found 'and'" },
        // AND, OR, NOT, parentheses, trailing tokens
        { "type = \"x\" && region = \"y\"", 11, "combine conditions with AND and OR" },
        { "type = \"x\" AND", 14, "after AND but found the end of the filter" },
        { "type = \"x\" OR OR", 14, "after OR but found 'OR'" },
        { "NOT", 3, "after NOT but found the end of the filter" },
        { "()", 1, "after '(' but found ')'" },
        { "(type = \"x\"", 11, "expected ')' to close the '(' at position 0 but found the end of the filter" },
        { "((type = \"x\") AND exists(a)", 27, "to close the '(' at position 0" },
        { "type = \"x\")", 10, "unexpected ')' without a matching '('" },
        { "type = \"x\" region = \"y\"", 11, "expected AND, OR or the end of the filter but found 'region'" },
        { "exists(type) exists(region)", 13, "expected AND, OR or the end of the filter but found 'exists'" },
        // IN lists
        { "region IN ()", 11, "an IN list needs at least one string literal" },
        { "region NOT IN ()", 15, "an IN list needs at least one string literal" },
        { "region IN \"eu\"", 10, "expected '(' after IN" },
        { "region IN (1)", 11, "expected a string literal in the IN list but found '1'" },
        { "region IN (\"eu\" \"us\")", 16, "expected ',' or ')' in the IN list but found '\"us\"'" },
        { "region IN (\"eu\",", 16, "expected a string literal in the IN list but found the end of the filter" },
        { "region IN (\"eu\"", 15, "expected ',' or ')' in the IN list but found the end of the filter" },
        { InList(FilterLimits.MaxInListValues + 1), 11 + 7 * 100, "an IN list holds at most 100 values" },
        // functions: unknown, arity, argument kinds
        { "startsWith(type, \"x\")", 0, "unknown function 'startsWith'; the functions are hasPrefix, hasSuffix, contains and exists" },
        { "hasPrefix(type)", 14, "hasPrefix takes 2 arguments (a header name and a string literal) but was given 1" },
        { "hasSuffix(type, \"a\", \"b\")", 21, "hasSuffix takes 2 arguments" },
        { "exists(type, \"x\")", 13, "exists takes 1 argument (a header name) but was given 2" },
        { "exists()", 7, "exists takes 1 argument (a header name) but was given 0" },
        { "hasPrefix(\"type\", \"x\")", 10, "the first argument of hasPrefix must be a header name but found '\"type\"'" },
        { "contains(type, 5)", 15, "the second argument of contains must be a string literal but found '5'" },
        { "contains(type, other)", 15, "the second argument of contains must be a string literal but found 'other'" },
        { "hasPrefix(type \"x\")", 15, "expected ',' or ')' after an argument of hasPrefix but found '\"x\"'" },
        { "exists(AND)", 7, "expected an argument of exists (a header name) but found 'AND'" },
        { "`exists`(type)", 8, "expected an operator" },
        // nesting
        { Nested(FilterLimits.MaxDepth + 1), 32, "the filter nests more than 32 levels deep" },
        { Nots(FilterLimits.MaxDepth + 1), 4 * 32, "the filter nests more than 32 levels deep" },
        { "NOT (" + Nested(FilterLimits.MaxDepth - 1) + ")", 35, "the filter nests more than 32 levels deep" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Parse_should_reject_a_malformed_filter_with_its_position_and_reason(string expression, int position, string fragment)
    {
        // act
        var error = Assert.Throws<FilterSyntaxException>(() => HeaderFilter.Parse(expression));

        // assert
        Assert.Equal(position, error.Position);
        Assert.Contains(fragment, error.Detail);
        Assert.Contains(fragment, error.Message);
        Assert.StartsWith($"Filter error at position {position}: ", error.Message);
        Assert.Equal(expression, error.Expression);
    }

    public static TheoryData<string> AtTheLimits => new()
    {
        OfLength(FilterLimits.MaxLength),
        Nested(FilterLimits.MaxDepth),
        Nots(FilterLimits.MaxDepth),
        InList(FilterLimits.MaxInListValues),
        "exists(x)",
    };

    [Theory]
    [MemberData(nameof(AtTheLimits))]
    public void Parse_should_accept_a_filter_at_each_limit(string expression)
    {
        // act
        var parsed = HeaderFilter.TryParse(expression, out var filter, out var error);

        // assert
        Assert.True(parsed, error?.Message);
        Assert.Equal(expression, filter!.Expression);
    }

    [Fact]
    public void Error_message_should_say_what_where_and_show_the_filter()
    {
        // act
        var error = Assert.Throws<FilterSyntaxException>(() => HeaderFilter.Parse("type = AND x"));

        // assert
        Assert.Equal("Filter error at position 7: expected a string or number literal after '=' but found 'AND'. Filter: type = AND x",
            error.Message);
        Assert.IsAssignableFrom<ArgumentException>(error);
    }

    [Fact]
    public void Error_message_should_show_an_excerpt_of_a_long_filter_around_the_error()
    {
        // arrange: the error sits in the middle of a filter far longer than a log line
        var expression = string.Join(" AND ", Enumerable.Repeat("exists(a)", 100)) + " AND bad ==";
        var position = expression.IndexOf("==", StringComparison.Ordinal);

        // act
        var error = Assert.Throws<FilterSyntaxException>(() => HeaderFilter.Parse(expression));

        // assert
        Assert.Equal(position, error.Position);
        Assert.Contains("Filter: …", error.Message);
        Assert.EndsWith("AND bad ==", error.Message);
        Assert.True(error.Message.Length < 400, error.Message);
    }

    [Fact]
    public void TryParse_should_return_the_error_instead_of_throwing()
    {
        // act
        var parsed = HeaderFilter.TryParse("region IN ()", out var filter, out var error);

        // assert
        Assert.False(parsed);
        Assert.Null(filter);
        Assert.Equal(11, error!.Position);
    }

    [Fact]
    public void Parse_should_refuse_null()
    {
        // act / assert
        Assert.Throws<ArgumentNullException>(() => HeaderFilter.Parse(null!));
    }
}
