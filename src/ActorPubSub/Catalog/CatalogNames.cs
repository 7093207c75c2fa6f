namespace ActorPubSub.Catalog;

/// <summary>The words the admin endpoint, pbm and the docs use for the modes (Confluent's spelling), and their parsing.</summary>
public static class CatalogNames
{
    /// <summary>Every compatibility mode's name, in the enum's order.</summary>
    public static readonly IReadOnlyList<string> CompatibilityNames =
        ["none", "backward", "forward", "full", "backward_transitive", "forward_transitive", "full_transitive"];

    /// <summary>Every validation mode's name, in the enum's order.</summary>
    public static readonly IReadOnlyList<string> ValidationNames = ["off", "warn", "enforce"];

    /// <summary>The name of <paramref name="mode"/>, e.g. <c>backward_transitive</c>.</summary>
    public static string Name(CompatibilityMode mode) => CompatibilityNames[(int)mode];

    /// <summary>The name of <paramref name="mode"/>, e.g. <c>enforce</c>.</summary>
    public static string Name(ValidationMode mode) => ValidationNames[(int)mode];

    /// <summary>Reads a compatibility mode by name (case-insensitive, '-' or '_'); null and an error listing the allowed names otherwise.</summary>
    public static CompatibilityMode? ParseCompatibility(string text, out string? error)
    {
        var index = IndexOf(CompatibilityNames, text);
        error = index < 0 ? $"'{text}' is no compatibility mode; allowed: {string.Join(", ", CompatibilityNames)}" : null;
        return index < 0 ? null : (CompatibilityMode)index;
    }

    /// <summary>Reads a validation mode by name (case-insensitive); null and an error listing the allowed names otherwise.</summary>
    public static ValidationMode? ParseValidation(string text, out string? error)
    {
        var index = IndexOf(ValidationNames, text);
        error = index < 0 ? $"'{text}' is no validation mode; allowed: {string.Join(", ", ValidationNames)}" : null;
        return index < 0 ? null : (ValidationMode)index;
    }

    private static int IndexOf(IReadOnlyList<string> names, string text)
    {
        var normal = text.Trim().Replace('-', '_');
        for (var i = 0; i < names.Count; i++)
            if (string.Equals(names[i], normal, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }
}
