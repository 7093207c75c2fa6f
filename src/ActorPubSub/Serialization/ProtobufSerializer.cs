using System.Collections.Frozen;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Google.Protobuf;

namespace ActorPubSub.Serialization;

/// <summary>
/// A manifest table over protobuf messages: what <see cref="PubSubSerializer"/> and <see cref="DeadLetterSerializer"/>
/// share. Writes the current format; reads it and, for stored data, the legacy manifests of the binary format before it.
/// </summary>
/// <remarks>
/// Manifests are stored in journals and exchanged between nodes: never change or reuse one. A field is added to a
/// .proto file under a new number (older readers skip it), not under a new manifest. Every failure to read is a
/// <see cref="SerializationException"/> that names the type and manifest.
/// </remarks>
public abstract class ProtobufSerializer : SerializerWithStringManifest
{
    private readonly string _kind;
    private readonly FrozenDictionary<Type, ManifestEntry> _byType;
    private readonly FrozenDictionary<string, ManifestEntry> _byManifest;

    private protected ProtobufSerializer(ExtendedActorSystem system, string kind, IEnumerable<ManifestEntry> entries) : base(system)
    {
        _kind = kind;
        var byType = new Dictionary<Type, ManifestEntry>();
        var byManifest = new Dictionary<string, ManifestEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry.ToProto is not null && !byType.TryAdd(entry.Type, entry))
                throw new InvalidOperationException($"{GetType().Name} lists {entry.Type.Name} twice.");
            if (!byManifest.TryAdd(entry.Manifest, entry))
                throw new InvalidOperationException(
                    $"{GetType().Name} gives manifest '{entry.Manifest}' to both {byManifest[entry.Manifest].Type.Name} and {entry.Type.Name}.");
        }
        _byType = byType.ToFrozenDictionary();
        _byManifest = byManifest.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The message types this serializer writes, with their manifests (for tests and diagnostics).</summary>
    internal IReadOnlyDictionary<Type, string> Manifests => _byType.ToDictionary(e => e.Key, e => e.Value.Manifest);

    /// <summary>The manifests of the binary format before protobuf that this serializer still reads, by type.</summary>
    internal IReadOnlyDictionary<string, Type> LegacyManifests =>
        _byManifest.Values.Where(e => e.ToProto is null && !e.Alternative).ToDictionary(e => e.Manifest, e => e.Type);

    /// <summary>The second, current manifests this serializer reads and writes by itself (not through the table), by type.</summary>
    internal IReadOnlyDictionary<string, Type> AlternativeManifests =>
        _byManifest.Values.Where(e => e.Alternative).ToDictionary(e => e.Manifest, e => e.Type);

    public override string Manifest(object o) => EntryFor(o).Manifest;

    public override byte[] ToBinary(object obj) => EntryFor(obj).ToProto!(obj).ToByteArray();

    /// <summary>The protobuf form that <see cref="ToBinary"/> writes, and the manifest <see cref="Manifest"/> names.</summary>
    internal virtual IMessage ToWire(object obj, out string manifest)
    {
        var entry = EntryFor(obj);
        manifest = entry.Manifest;
        return entry.ToProto!(obj);
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!_byManifest.TryGetValue(manifest, out var entry))
            throw new SerializationException(
                $"Manifest '{manifest}' is not a known ActorPubSub {_kind} (known manifests: " +
                $"{string.Join(", ", _byManifest.Keys.Order(StringComparer.Ordinal))}). " +
                "It may come from a newer ActorPubSub version, or the bytes were bound to the wrong serializer.");
        try
        {
            return entry.Read(bytes);
        }
        catch (Exception e) when (e is SerializationException or InvalidProtocolBufferException)
        {
            throw new SerializationException(
                $"Cannot deserialize ActorPubSub {entry.Type.Name} (manifest '{manifest}', {bytes.Length} bytes): {e.Message}", e);
        }
    }

    /// <summary>
    /// Whether <see cref="FromSpan"/> reads <paramref name="manifest"/>: a current format (not a legacy one, which only
    /// stored data carries), for messages read straight out of a received frame (Remoting.DirectDispatch).
    /// </summary>
    internal bool ReadsFromSpan(string manifest) => _byManifest.TryGetValue(manifest, out var entry) && entry.ReadSpan is not null;

    /// <summary><see cref="FromBinary"/> from a span, for the manifests <see cref="ReadsFromSpan"/> names.</summary>
    internal object FromSpan(ReadOnlySpan<byte> bytes, string manifest)
    {
        if (!_byManifest.TryGetValue(manifest, out var entry) || entry.ReadSpan is null)
            throw new SerializationException(
                $"Manifest '{manifest}' is not a current ActorPubSub {_kind} (known manifests: " +
                $"{string.Join(", ", _byManifest.Values.Where(e => e.ReadSpan is not null).Select(e => e.Manifest).Order(StringComparer.Ordinal))}).");
        try
        {
            return entry.ReadSpan(bytes);
        }
        catch (Exception e) when (e is SerializationException or InvalidProtocolBufferException)
        {
            throw new SerializationException(
                $"Cannot deserialize ActorPubSub {entry.Type.Name} (manifest '{manifest}', {bytes.Length} bytes): {e.Message}", e);
        }
    }

    private ManifestEntry EntryFor(object message) =>
        _byType.TryGetValue(message.GetType(), out var entry)
            ? entry
            : throw new ArgumentException(
                $"{GetType().Name} cannot serialize {message.GetType().FullName}: it is bound to this serializer but has no " +
                $"entry in {GetType().Name}'s manifest table. Add one with a new, never used manifest and a protobuf message.",
                nameof(message));
}
