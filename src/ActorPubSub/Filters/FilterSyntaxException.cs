
namespace ActorPubSub.Filters;

/// <summary>
/// A filter expression that cannot be parsed, or breaks a limit. The message says what was wrong, where,
/// and what is allowed there, e.g. <c>Filter error at position 7: expected a string or number literal after
/// '=' but found 'AND'. Filter: type = AND x</c>.
/// </summary>
public sealed class FilterSyntaxException : ArgumentException
{
    // Long filters are shown as an excerpt around the error so the message stays readable in a log line.
    private const int ExcerptRadius = 60;

    internal FilterSyntaxException(string expression, int position, string detail)
        : base(Format(expression, position, detail), nameof(expression))
    {
        Expression = expression;
        Position = position;
        Detail = detail;
    }

    /// <summary>The 0-based index of the character where the error was found (the length of the filter at its end).</summary>
    public int Position { get; }

    /// <summary>What was wrong and what is allowed, without the position and the filter.</summary>
    public string Detail { get; }

    /// <summary>The filter as given.</summary>
    public string Expression { get; }

    // ArgumentException would append " (Parameter 'expression')", which says nothing a reader needs.
    public override string Message => Format(Expression, Position, Detail);

    private static string Format(string expression, int position, string detail) =>
        $"Filter error at position {position}: {detail}. Filter: {Excerpt(expression, position)}";

    private static string Excerpt(string expression, int position)
    {
        if (expression.Length <= 2 * ExcerptRadius) return expression;
        var start = Math.Max(0, Math.Min(position, expression.Length) - ExcerptRadius);
        var end = Math.Min(expression.Length, start + 2 * ExcerptRadius);
        return (start > 0 ? "…" : "") + expression[start..end] + (end < expression.Length ? "…" : "");
    }
}
