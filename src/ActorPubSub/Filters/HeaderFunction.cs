
namespace ActorPubSub.Filters;

internal enum HeaderFunctionKind { HasPrefix, HasSuffix, Contains }

/// <summary><c>hasPrefix(name, "x")</c>, <c>hasSuffix(name, "x")</c> or <c>contains(name, "x")</c>, ordinal; false when the header is missing.</summary>
internal sealed class HeaderTextFunction(HeaderFunctionKind kind, string header, string argument) : FilterNode
{
    public override bool Evaluate(IReadOnlyDictionary<string, string>? headers) =>
        TryGetHeader(headers, header, out var value) && kind switch
        {
            HeaderFunctionKind.HasPrefix => value.StartsWith(argument, StringComparison.Ordinal),
            HeaderFunctionKind.HasSuffix => value.EndsWith(argument, StringComparison.Ordinal),
            _ => value.Contains(argument, StringComparison.Ordinal),
        };
}

/// <summary><c>exists(name)</c>: the header is present, whatever its value (even empty).</summary>
internal sealed class HeaderExists(string header) : FilterNode
{
    public override bool Evaluate(IReadOnlyDictionary<string, string>? headers) => TryGetHeader(headers, header, out _);
}
