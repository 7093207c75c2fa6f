using System.Diagnostics.CodeAnalysis;

namespace ActorPubSub.Filters;

/// <summary>
/// A subscription filter over the string headers of messages, parsed and checked once when the subscription is
/// created and evaluated for every message (evaluation does not allocate).
/// <para>
/// Language: comparisons <c>name = "v"</c>, <c>!=</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c>;
/// <c>name IN ("a", "b")</c> and <c>name NOT IN (…)</c>; the functions <c>hasPrefix(name, "x")</c>,
/// <c>hasSuffix(name, "x")</c>, <c>contains(name, "x")</c> and <c>exists(name)</c>; combined with <c>NOT</c>,
/// <c>AND</c>, <c>OR</c> (binding in that order, tightest first) and parentheses. For example
/// <c>type = "order.created" AND region IN ("eu", "us") AND NOT hasPrefix(customer, "test-")</c>.
/// </para>
/// <para>
/// Keywords and function names are case-insensitive; header names are case-sensitive and are either identifiers
/// (<c>[A-Za-z_][A-Za-z0-9_.-]*</c>, not a keyword) or any text in backticks (<c>`content type`</c>, <c>`in`</c>).
/// String literals are in double quotes, with <c>\"</c> and <c>\\</c> as the only escapes, and compare ordinally.
/// A number literal (<c>5</c>, <c>-2.5</c>, <c>1e3</c>) makes a comparison numeric: it holds only when the header
/// value parses as a finite number in the invariant culture, and is false otherwise — even for <c>!=</c>.
/// </para>
/// <para>
/// <b>Missing headers</b> (as in Google Pub/Sub): when a message lacks the header, or has no headers at all,
/// every comparison, <c>IN</c> and function on it is false, except <c>!=</c> and <c>NOT IN</c>, which are true —
/// a missing value is taken to differ from every value. So <c>region != "eu"</c> matches a message without a
/// region, and <c>NOT region = "eu"</c> does too; use <c>exists(region) AND region != "eu"</c> to require it.
/// </para>
/// <para>
/// Limits (<see cref="FilterLimits"/>): 1 to 4,096 characters and not blank, at most 32 levels of nesting (each
/// <c>(</c> and <c>NOT</c> opens one), at most 100 values in an <c>IN</c> list.
/// </para>
/// </summary>
public sealed class HeaderFilter
{
    private readonly FilterNode _root;

    private HeaderFilter(string expression, FilterNode root) => (Expression, _root) = (expression, root);

    /// <summary>The filter as written.</summary>
    public string Expression { get; }

    /// <exception cref="FilterSyntaxException">The expression is malformed or breaks a limit; its message says where and why.</exception>
    public static HeaderFilter Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return new HeaderFilter(expression, FilterParser.Parse(expression));
    }

    /// <summary>Parses <paramref name="expression"/>, returning the error instead of throwing it.</summary>
    public static bool TryParse(string expression, [NotNullWhen(true)] out HeaderFilter? filter, [NotNullWhen(false)] out FilterSyntaxException? error)
    {
        ArgumentNullException.ThrowIfNull(expression);
        try
        {
            (filter, error) = (Parse(expression), null);
            return true;
        }
        catch (FilterSyntaxException e)
        {
            (filter, error) = (null, e);
            return false;
        }
    }

    /// <summary>Whether a message with these headers passes the filter; <c>null</c> headers are treated as none.</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? headers) => _root.Evaluate(headers);

    public override string ToString() => Expression;
}
