using System.Collections.Immutable;

namespace ActorPubSub.Tests.Filters;

/// <summary>
/// Named header sets for the filter matrices, so a theory row reads as (filter, "order", true) and xunit shows
/// which message a failing row was about.
/// </summary>
internal static class HeaderSets
{
    private static readonly Dictionary<string, ImmutableDictionary<string, string>?> Sets = new()
    {
        ["none"] = null,
        ["empty"] = ImmutableDictionary<string, string>.Empty,
        ["order"] = Headers(("type", "order.created"), ("region", "eu"), ("customer", "acme"), ("amount", "42"), ("priority", "10")),
        ["test-order"] = Headers(("type", "order.created"), ("region", "us"), ("customer", "test-bob")),
        ["refund"] = Headers(("type", "order.refunded"), ("region", "apac"), ("customer", "acme"), ("amount", "-2.5")),
        ["odd"] = Headers(
            ("content type", "json"), ("in", "yes"), ("quote", "say \"hi\""), ("path", @"c:\tmp"), ("Type", "upper"),
            ("amount", "abc"), ("empty", ""), ("x.y-z", "dotted"), ("nan", "NaN")),
    };

    public static ImmutableDictionary<string, string>? Get(string name) => Sets[name];

    private static ImmutableDictionary<string, string> Headers(params (string Key, string Value)[] headers) =>
        headers.ToImmutableDictionary(h => h.Key, h => h.Value);
}
