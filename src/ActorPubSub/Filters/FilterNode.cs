using System.Diagnostics.CodeAnalysis;

namespace ActorPubSub.Filters;

/// <summary>
/// A node of a parsed filter. Evaluation runs in the topic actor for every message, so no node allocates:
/// operands are arrays walked with <c>foreach</c>, and header values are only looked up and compared.
/// </summary>
internal abstract class FilterNode
{
    public abstract bool Evaluate(IReadOnlyDictionary<string, string>? headers);

    protected static bool TryGetHeader(IReadOnlyDictionary<string, string>? headers, string name, [NotNullWhen(true)] out string? value)
    {
        value = null;
        return headers is not null && headers.TryGetValue(name, out value);
    }
}

/// <summary><c>a AND b AND …</c>, flattened so a long chain is one node rather than a deep tree.</summary>
internal sealed class AllOf(FilterNode[] operands) : FilterNode
{
    public override bool Evaluate(IReadOnlyDictionary<string, string>? headers)
    {
        foreach (var operand in operands)
            if (!operand.Evaluate(headers)) return false;
        return true;
    }
}

/// <summary><c>a OR b OR …</c>, flattened like <see cref="AllOf"/>.</summary>
internal sealed class AnyOf(FilterNode[] operands) : FilterNode
{
    public override bool Evaluate(IReadOnlyDictionary<string, string>? headers)
    {
        foreach (var operand in operands)
            if (operand.Evaluate(headers)) return true;
        return false;
    }
}

internal sealed class Negation(FilterNode operand) : FilterNode
{
    public override bool Evaluate(IReadOnlyDictionary<string, string>? headers) => !operand.Evaluate(headers);
}
