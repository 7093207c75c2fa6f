
namespace ActorPubSub.Filters;

/// <summary>A function a filter may call. Function names, like keywords, are case-insensitive.</summary>
/// <param name="Signature">The arguments in words, for error messages.</param>
/// <param name="Create">Builds the node from the header name and, for two-argument functions, the string literal.</param>
internal sealed record FilterFunction(string Name, int Arity, string Signature, string Example, Func<string, string, FilterNode> Create)
{
    private static readonly FilterFunction[] All =
    [
        new("hasPrefix", 2, "a header name and a string literal", "name, \"prefix\"",
            (header, text) => new HeaderTextFunction(HeaderFunctionKind.HasPrefix, header, text)),
        new("hasSuffix", 2, "a header name and a string literal", "name, \"suffix\"",
            (header, text) => new HeaderTextFunction(HeaderFunctionKind.HasSuffix, header, text)),
        new("contains", 2, "a header name and a string literal", "name, \"text\"",
            (header, text) => new HeaderTextFunction(HeaderFunctionKind.Contains, header, text)),
        new("exists", 1, "a header name", "name", (header, _) => new HeaderExists(header)),
    ];

    public const string Names = "hasPrefix, hasSuffix, contains and exists";

    public static FilterFunction? Find(string name) =>
        Array.Find(All, f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
}
