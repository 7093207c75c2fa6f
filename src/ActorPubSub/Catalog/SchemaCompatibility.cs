using System.Text.Json.Nodes;

namespace ActorPubSub.Catalog;

/// <summary>One reason a schema version is not compatible: the field, the rule it breaks, and a sentence saying so.</summary>
/// <param name="Field">The field's path from the message's root, dotted (<c>address.city</c>); <c>$</c> for the root.</param>
/// <param name="Rule">A short name of the rule, e.g. <c>required-field-added</c>.</param>
public sealed record CompatibilityProblem(string Field, string Rule, string Reason);

/// <summary>
/// The compatibility rules over JSON Schema documents: whether every message valid under a writer's schema is also valid
/// under a reader's schema, judged from <c>type</c>, <c>properties</c>, <c>required</c>, <c>additionalProperties</c> and
/// <c>items</c> (recursively). Which schemas are reader and writer follows the mode, as Confluent defines them: backward
/// = the new schema reads the old one's data, forward = the old reads the new one's, full = both; the transitive forms
/// check every registered version instead of only the newest.
/// </summary>
/// <remarks>
/// One choice differs from Confluent's strictest reading: a property added to an open content model (no
/// <c>additionalProperties: false</c>) is taken as compatible, assuming old writers never sent a property of that name
/// with another type. Otherwise adding an optional field — the ordinary way to evolve a message — would be refused.
/// </remarks>
public static class SchemaCompatibility
{
    /// <summary>
    /// The problems of registering <paramref name="candidate"/> after <paramref name="registered"/> (oldest first) under
    /// <paramref name="mode"/>; empty when it is compatible. Every schema must be a parsed JSON document.
    /// </summary>
    public static IReadOnlyList<CompatibilityProblem> Check(CompatibilityMode mode, IReadOnlyList<JsonNode?> registered, JsonNode? candidate)
    {
        if (mode == CompatibilityMode.None || registered.Count == 0) return [];
        var transitive = mode is CompatibilityMode.BackwardTransitive or CompatibilityMode.ForwardTransitive or CompatibilityMode.FullTransitive;
        var backward = mode is CompatibilityMode.Backward or CompatibilityMode.Full or CompatibilityMode.BackwardTransitive or CompatibilityMode.FullTransitive;
        var forward = mode is CompatibilityMode.Forward or CompatibilityMode.Full or CompatibilityMode.ForwardTransitive or CompatibilityMode.FullTransitive;
        var problems = new List<CompatibilityProblem>();
        // Newest first: the first problem reported is the one against the version the publisher just used.
        for (var i = registered.Count - 1; i >= (transitive ? 0 : registered.Count - 1); i--)
        {
            var version = i + 1;
            if (backward)
                Compare(reader: candidate, writer: registered[i], "$", problems,
                    $"{CatalogNames.Name(mode)}: the new schema must read messages of version {version}");
            if (forward)
                Compare(reader: registered[i], writer: candidate, "$", problems,
                    $"{CatalogNames.Name(mode)}: version {version} must read messages of the new schema");
        }
        return problems;
    }

    /// <summary>The problems of one reader/writer pair, appended to <paramref name="problems"/>.</summary>
    private static void Compare(JsonNode? reader, JsonNode? writer, string path, List<CompatibilityProblem> problems, string why)
    {
        // `true` or a missing schema accepts everything; `false` nothing.
        if (reader is null || reader.GetValueKind() == System.Text.Json.JsonValueKind.True) return;
        if (reader.GetValueKind() == System.Text.Json.JsonValueKind.False)
        {
            if (writer?.GetValueKind() != System.Text.Json.JsonValueKind.False)
                problems.Add(new(path, "field-refused", $"field '{path}' is refused by the reader (schema false) but the writer may send it ({why})"));
            return;
        }
        if (reader is not JsonObject r) return;
        var w = writer as JsonObject;

        var readerTypes = Types(r);
        var writerTypes = w is null ? null : Types(w);
        if (readerTypes is not null)
        {
            if (writerTypes is null)
            {
                problems.Add(new(path, "type-narrowed",
                    $"field '{path}' must be {string.Join(" or ", readerTypes)} for the reader, but the writer does not restrict its type ({why})"));
                return;
            }
            var extra = writerTypes.Where(t => !readerTypes.Contains(t) && !(t == "integer" && readerTypes.Contains("number"))).ToList();
            if (extra.Count > 0)
            {
                problems.Add(new(path, "type-changed",
                    $"field '{path}' changed type: the writer sends {string.Join(" or ", writerTypes)}, the reader takes {string.Join(" or ", readerTypes)} ({why})"));
                return;
            }
        }
        if (w is null) return;

        var readerProps = r["properties"] as JsonObject;
        var writerProps = w["properties"] as JsonObject;
        var readerRequired = Required(r);
        var writerRequired = Required(w);
        var readerClosed = IsFalse(r["additionalProperties"]);
        var writerClosed = IsFalse(w["additionalProperties"]);

        foreach (var name in readerRequired)
        {
            if (writerRequired.Contains(name)) continue;
            var field = Join(path, name);
            var known = writerProps?.ContainsKey(name) == true;
            problems.Add(known
                ? new(field, "field-made-required", $"field '{field}' is required by the reader but optional for the writer ({why})")
                : new(field, "required-field-added", $"field '{field}' is required by the reader but the writer does not have it ({why})"));
        }
        if (writerProps is not null)
            foreach (var (name, writerSchema) in writerProps)
            {
                var field = Join(path, name);
                if (readerProps?.TryGetPropertyValue(name, out var readerSchema) == true)
                    Compare(readerSchema, writerSchema, field, problems, why);
                else if (readerClosed)
                    problems.Add(new(field, "field-removed-closed",
                        $"field '{field}' is sent by the writer but the reader does not have it and allows no other properties (additionalProperties: false) ({why})"));
                else if (r["additionalProperties"] is JsonObject additional)
                    Compare(additional, writerSchema, field, problems, why);
            }
        if (readerClosed && !writerClosed)
            problems.Add(new(path, "content-model-closed",
                $"object '{path}' allows no other properties for the reader (additionalProperties: false) but the writer allows any ({why})"));
        if (r["items"] is { } readerItems && w["items"] is { } writerItems)
            Compare(readerItems, writerItems, path + "[]", problems, why);
    }

    private static string Join(string path, string name) => path == "$" ? name : path + "." + name;

    private static bool IsFalse(JsonNode? node) => node?.GetValueKind() == System.Text.Json.JsonValueKind.False;

    /// <summary>The schema's <c>type</c> as a set, or null when it does not restrict the type.</summary>
    private static HashSet<string>? Types(JsonObject schema) => schema["type"] switch
    {
        JsonValue v when v.TryGetValue<string>(out var one) => [one],
        JsonArray many => [.. many.Select(t => t?.GetValue<string>() ?? "null")],
        _ => null,
    };

    private static HashSet<string> Required(JsonObject schema) =>
        schema["required"] is JsonArray names ? [.. names.Select(n => n?.GetValue<string>() ?? "")] : [];
}
