using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;

namespace ActorPubSub.Catalog;

/// <summary>
/// The System.Text.Json form of a typed payload, in one place: validation reads a typed publish through these options,
/// and a schema generated from a .NET type (<see cref="SchemaFor"/>) describes that same form, so a publish of the type
/// validates against the schema made from it.
/// </summary>
public static class PayloadJson
{
    /// <summary>The options a typed payload is read as JSON with: System.Text.Json's defaults (property names as declared, enums as numbers).</summary>
    public static JsonSerializerOptions Options => JsonSerializerOptions.Default;

    /// <summary>The JSON form of <paramref name="message"/> that its topic's schema is evaluated against.</summary>
    public static JsonElement Of(object message) => JsonSerializer.SerializeToElement(message, message.GetType(), Options);

    /// <summary>
    /// A JSON Schema (draft 2020-12) of <paramref name="type"/>'s System.Text.Json form, made by .NET's
    /// <see cref="JsonSchemaExporter"/> with <see cref="Options"/>: members marked <c>required</c> (or
    /// <c>[JsonRequired]</c>) are required, reference types and <c>Nullable&lt;T&gt;</c> also take null (the serializer writes
    /// null for them), enums are integers, collections arrays of their item's schema, nested types inline (a recursive
    /// type by <c>$ref</c>).
    /// </summary>
    public static string SchemaFor(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.IsGenericTypeDefinition || type.ContainsGenericParameters)
            throw new ArgumentException($"{type} is an open generic type; give a closed one (e.g. List<int>).", nameof(type));
        JsonNode schema;
        try
        {
            schema = Options.GetJsonSchemaAsNode(type, new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = false });
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException)
        {
            throw new ArgumentException($"No JSON Schema can be made of {type}: {e.Message}", nameof(type), e);
        }
        if (schema is not JsonObject root || root.Count == 0)
            throw new ArgumentException($"The schema of {type} is '{schema.ToJsonString()}', not an object: the type takes any JSON value; give a record or class.", nameof(type));
        // Says what the document is, and where it came from, to a reader of `pbm catalog show` or the AsyncAPI export.
        var described = new JsonObject { ["$schema"] = "https://json-schema.org/draft/2020-12/schema", ["title"] = type.Name };
        foreach (var (key, value) in root.ToList())
        {
            root.Remove(key);
            described[key] = value;
        }
        return described.ToJsonString();
    }
}
