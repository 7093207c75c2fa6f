using System.Collections.Frozen;

namespace ActorPubSub.Filters;

/// <summary><c>name IN ("a", "b")</c> or, negated, <c>name NOT IN (…)</c>; values compare ordinally.</summary>
internal sealed class HeaderInList(string header, FrozenSet<string> values, bool negated) : FilterNode
{
    public override bool Evaluate(IReadOnlyDictionary<string, string>? headers) =>
        TryGetHeader(headers, header, out var value)
            ? values.Contains(value) != negated
            : negated;                               // a missing header is in no list
}
