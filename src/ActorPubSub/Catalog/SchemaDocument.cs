using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace ActorPubSub.Catalog;

/// <summary>A registered schema's text, read both as a JSON document (for the compatibility rules) and as a JSON Schema (for validation).</summary>
public static class SchemaDocument
{
    /// <summary>The largest schema document the catalogue takes (UTF-8 bytes): it travels in every catalogue event and push.</summary>
    public const int MaxBytes = 256 * 1024;

    /// <summary>Null when <paramref name="text"/> is a JSON Schema the catalogue takes; otherwise what is wrong and what is allowed.</summary>
    public static string? Validate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "The schema is empty; give a JSON Schema document (an object, e.g. {\"type\":\"object\"}).";
        if (System.Text.Encoding.UTF8.GetByteCount(text) > MaxBytes)
            return $"The schema is {System.Text.Encoding.UTF8.GetByteCount(text)} bytes; at most {MaxBytes} are allowed.";
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            return $"The schema is not JSON: {e.Message}";
        }
        if (node is not JsonObject) return "The schema must be a JSON object (a JSON Schema document), e.g. {\"type\":\"object\"}.";
        try
        {
            Compile(text);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException or Json.Schema.JsonSchemaException)
        {
            return $"The schema is not a valid JSON Schema: {e.Message}";
        }
        return null;
    }

    /// <summary>The document as a JSON tree (the compatibility rules read it).</summary>
    public static JsonNode? Parse(string text) => JsonNode.Parse(text);

    /// <summary>
    /// The schema ready to evaluate. Each gets a registry of its own: two topics' schemas with the same <c>$id</c> (or
    /// none) must not collide in the library's global registry.
    /// </summary>
    public static JsonSchema Compile(string text) =>
        JsonSchema.FromText(text, new BuildOptions { SchemaRegistry = new SchemaRegistry() });

    /// <summary>
    /// Null when <paramref name="instance"/> is valid under <paramref name="schema"/>; otherwise the first failing path
    /// (a JSON Pointer, <c>/</c> for the root) and the failure.
    /// </summary>
    public static string? FirstFailure(JsonSchema schema, JsonElement instance)
    {
        var results = schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid) return null;
        foreach (var detail in (results.Details ?? []).Prepend(results))
        {
            if (detail.IsValid || detail.Errors is not { Count: > 0 } errors) continue;
            var pointer = detail.InstanceLocation.ToString();
            var (keyword, message) = errors.First();
            return $"{(pointer.Length == 0 ? "/" : pointer)}: {message} ({keyword})";
        }
        return "/: the message fails the schema";
    }
}
