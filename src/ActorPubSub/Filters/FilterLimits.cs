
namespace ActorPubSub.Filters;

/// <summary>
/// Bounds on a filter, checked when it is parsed. They keep parsing and evaluation cheap and the evaluation
/// recursion shallow, since a filter runs in the topic actor for every message.
/// </summary>
public static class FilterLimits
{
    /// <summary>Longest filter, in characters.</summary>
    public const int MaxLength = 4096;

    /// <summary>Deepest nesting; each <c>(</c> and each <c>NOT</c> opens one level.</summary>
    public const int MaxDepth = 32;

    /// <summary>Most values in one <c>IN</c> or <c>NOT IN</c> list.</summary>
    public const int MaxInListValues = 100;
}
