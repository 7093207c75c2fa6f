using System.Collections.Immutable;

namespace ActorPubSub;

/// <summary>One registered schema version of a topic: a JSON Schema document, or a Protocol Buffers message type.</summary>
/// <param name="Version">1, 2, ... in the order registered (per topic).</param>
/// <param name="Id">The catalogue-wide id of this schema version (unique across topics, never reused).</param>
/// <param name="Schema">The JSON Schema document as registered (text); for <see cref="SchemaFormat.Protobuf"/>, the base64 of a serialized <c>FileDescriptorSet</c>.</param>
/// <param name="RegisteredAt">When it was registered (UTC).</param>
/// <param name="Format">What <paramref name="Schema"/> is written in.</param>
/// <param name="MessageType">For <see cref="SchemaFormat.Protobuf"/>: the full name of the message type payloads are (<c>shop.v1.Order</c>).</param>
public sealed record SchemaVersion(int Version, long Id, string Schema, DateTime RegisteredAt,
    SchemaFormat Format = SchemaFormat.Json, string? MessageType = null);

/// <summary>
/// What the catalogue knows of a topic: its owner, description and tags, and its contract — the schema versions, the
/// compatibility mode new versions are checked with and the validation mode publishes are checked with.
/// </summary>
public sealed record TopicContract(
    string Topic,
    string? Owner,
    string? Description,
    ImmutableArray<string> Tags,
    CompatibilityMode Compatibility,
    ValidationMode Validation,
    ImmutableArray<SchemaVersion> Versions)
{
    /// <summary>A topic the catalogue has nothing on: no owner, no schema, backward compatibility, validation off.</summary>
    public static TopicContract Empty(string topic) =>
        new(topic, null, null, [], CompatibilityMode.Backward, ValidationMode.Off, []);

    /// <summary>The newest schema version, or null when none is registered.</summary>
    public SchemaVersion? Current => Versions.IsDefaultOrEmpty ? null : Versions[^1];

    /// <summary>Value equality over the arrays' items too (the record's own compares the arrays by reference).</summary>
    public bool SameAs(TopicContract other) =>
        Topic == other.Topic && Owner == other.Owner && Description == other.Description
        && Compatibility == other.Compatibility && Validation == other.Validation
        && Tags.SequenceEqual(other.Tags) && Versions.SequenceEqual(other.Versions);
}
