using System.Globalization;

namespace ActorPubSub.Filters;

internal enum ComparisonOperator { Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual }

/// <summary><c>name op "text"</c>: an ordinal comparison of the header value with a string literal.</summary>
internal sealed class TextComparison(string header, ComparisonOperator op, string literal) : FilterNode
{
    public override bool Evaluate(IReadOnlyDictionary<string, string>? headers) =>
        TryGetHeader(headers, header, out var value)
            ? ComparisonResult.Holds(op, string.CompareOrdinal(value, literal))
            : op == ComparisonOperator.NotEqual;     // a missing header differs from every value
}

/// <summary>
/// <c>name op 5</c>: a numeric comparison, true only when the header value parses as a finite number in the
/// invariant culture; a value that is not a number satisfies no numeric comparison, not even <c>!=</c>.
/// </summary>
internal sealed class NumberComparison(string header, ComparisonOperator op, double literal) : FilterNode
{
    public override bool Evaluate(IReadOnlyDictionary<string, string>? headers)
    {
        if (!TryGetHeader(headers, header, out var value)) return op == ComparisonOperator.NotEqual;
        return TryParseNumber(value, out var number) && ComparisonResult.Holds(op, number.CompareTo(literal));
    }

    // "NaN" and "Infinity" parse as doubles but are not numbers anyone puts in a header to compare.
    private static bool TryParseNumber(string value, out double number) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number);
}

internal static class ComparisonResult
{
    /// <summary>Whether <paramref name="op"/> holds given the sign of a comparison of the header value with the literal.</summary>
    public static bool Holds(ComparisonOperator op, int comparison) => op switch
    {
        ComparisonOperator.Equal => comparison == 0,
        ComparisonOperator.NotEqual => comparison != 0,
        ComparisonOperator.Less => comparison < 0,
        ComparisonOperator.LessOrEqual => comparison <= 0,
        ComparisonOperator.Greater => comparison > 0,
        _ => comparison >= 0,
    };
}
