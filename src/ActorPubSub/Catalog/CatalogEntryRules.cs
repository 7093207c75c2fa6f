using System.Collections.Immutable;
using ActorPubSub.Topics;

namespace ActorPubSub.Catalog;

/// <summary>
/// The catalogue's decisions, without an actor: checks a request against the topic's entry and returns the entry to store
/// or the refusal. <see cref="CatalogActor"/> asks it, persists the result and tells.
/// </summary>
public static class CatalogEntryRules
{
    public const int MaxOwnerLength = 200;
    public const int MaxDescriptionLength = 4000;
    public const int MaxTags = 32;
    public const int MaxTagLength = 64;

    /// <summary>The entry after registering <paramref name="request"/>'s schema as the next version, or the refusal.</summary>
    /// <param name="nextId">The catalogue-wide id the new version gets.</param>
    public static (TopicContract? Updated, int Version, bool Unchanged, CatalogRejected? Refused) Register(
        TopicContract? current, RegisterSchema request, long nextId, DateTime now)
    {
        if (TopicNames.ValidateTopic(request.Topic) is { } topicError) return (null, 0, false, new(request.Topic, topicError));
        var protobuf = request.Format == SchemaFormat.Protobuf;
        if (!Enum.IsDefined(request.Format))
            return (null, 0, false, new(request.Topic, $"Schema format {(int)request.Format} is unknown; allowed: json, protobuf."));
        if ((protobuf ? ProtobufSchema.Validate(request.Schema, request.MessageType) : SchemaDocument.Validate(request.Schema)) is { } schemaError)
            return (null, 0, false, new(request.Topic, schemaError));
        var messageType = protobuf ? request.MessageType!.Trim().TrimStart('.') : null;
        var entry = current ?? TopicContract.Empty(request.Topic);
        var mode = request.Compatibility ?? entry.Compatibility;
        entry = entry with { Compatibility = mode, Validation = request.Validation ?? entry.Validation };
        if (entry.Current is { } newest && newest.Format == request.Format && Same(newest, request.Schema, messageType))
            return (entry, newest.Version, true, null);
        if (entry.Current is { } previous && previous.Format != request.Format && mode != CompatibilityMode.None)
            return (null, 0, false, new CatalogRejected(request.Topic,
                $"Schema refused for topic '{request.Topic}' by rule format-changed: version {previous.Version} is {Name(previous.Format)}, the new schema " +
                $"{Name(request.Format)}; a reader of one cannot read the other ({CatalogNames.Name(mode)}). Register {Name(previous.Format)}, or set the " +
                "topic's compatibility to none first.", "$", "format-changed"));
        // Only versions of the new one's format are compared (others were left behind by a switch under compatibility none).
        var sameFormat = entry.Versions.Where(v => v.Format == request.Format).ToList();
        var problems = protobuf
            ? ProtobufCompatibility.Check(mode, [.. sameFormat.Select(v => ProtobufSchema.Load(v.Schema, v.MessageType))], ProtobufSchema.Load(request.Schema, messageType))
            : SchemaCompatibility.Check(mode, [.. sameFormat.Select(v => SchemaDocument.Parse(v.Schema))], SchemaDocument.Parse(request.Schema));
        if (problems.Count > 0)
        {
            var first = problems[0];
            var more = problems.Count > 1 ? $" ({problems.Count - 1} more: {string.Join("; ", problems.Skip(1).Take(3).Select(p => $"{p.Field} {p.Rule}"))})" : "";
            return (null, 0, false, new CatalogRejected(request.Topic,
                $"Schema refused for topic '{request.Topic}' by rule {first.Rule}: {first.Reason}{more}. " +
                "Register a compatible schema, or change the topic's compatibility mode.", first.Field, first.Rule));
        }
        var version = entry.Versions.Length + 1;
        return (entry with { Versions = entry.Versions.Add(new SchemaVersion(version, nextId, request.Schema, now, request.Format, messageType)) }, version, false, null);
    }

    /// <summary>The same schema as <paramref name="version"/>: an equal JSON document, or the same message type in the same descriptor set.</summary>
    private static bool Same(SchemaVersion version, string schema, string? messageType) => version.Format == SchemaFormat.Protobuf
        ? version.MessageType == messageType && version.Schema == schema
        : System.Text.Json.Nodes.JsonNode.DeepEquals(SchemaDocument.Parse(version.Schema), SchemaDocument.Parse(schema));

    private static string Name(SchemaFormat format) => format == SchemaFormat.Protobuf ? "Protobuf" : "JSON Schema";

    /// <summary>The entry after <paramref name="request"/>, or the refusal.</summary>
    public static (TopicContract? Updated, CatalogRejected? Refused) Set(TopicContract? current, SetTopicInfo request)
    {
        if (TopicNames.ValidateTopic(request.Topic) is { } topicError) return (null, new(request.Topic, topicError));
        if (Text("owner", request.Owner, MaxOwnerLength) is { } ownerError) return (null, new(request.Topic, ownerError));
        if (Text("description", request.Description, MaxDescriptionLength) is { } descriptionError) return (null, new(request.Topic, descriptionError));
        if (request.Tags is { } tags)
        {
            if (tags.Length > MaxTags) return (null, new(request.Topic, $"{tags.Length} tags given; at most {MaxTags} are allowed."));
            foreach (var tag in tags)
                if (string.IsNullOrWhiteSpace(tag) || tag.Length > MaxTagLength || tag.Any(char.IsControl) || tag.Contains(','))
                    return (null, new(request.Topic, $"Tag '{tag}' is not allowed: a tag is 1-{MaxTagLength} characters without commas or control characters."));
        }
        var entry = current ?? TopicContract.Empty(request.Topic);
        var validation = request.Validation ?? entry.Validation;
        if (validation != ValidationMode.Off && entry.Versions.IsEmpty)
            return (null, new(request.Topic,
                $"Validation {CatalogNames.Name(validation)} needs a schema: topic '{request.Topic}' has none. Register one first (or with it)."));
        return (entry with
        {
            Owner = request.Owner ?? entry.Owner,
            Description = request.Description ?? entry.Description,
            Tags = request.Tags is { } t ? [.. t.Distinct(StringComparer.Ordinal)] : entry.Tags,
            Compatibility = request.Compatibility ?? entry.Compatibility,
            Validation = validation,
        }, null);
    }

    private static string? Text(string name, string? value, int max) =>
        value is null ? null
        : value.Length > max ? $"The {name} is {value.Length} characters; at most {max} are allowed."
        : value.Any(c => char.IsControl(c) && c is not '\n' and not '\t') ? $"The {name} must not hold control characters."
        : null;
}
