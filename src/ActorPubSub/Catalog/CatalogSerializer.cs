using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using SerializationException = System.Runtime.Serialization.SerializationException;

namespace ActorPubSub.Catalog;

/// <summary>
/// Writes the catalogue's messages, events and snapshots as JSON of a fixed set of records chosen by manifest: the bytes
/// never name a type, so nothing a peer or the journal holds can make it build another one. Actor references travel as
/// their serialized paths.
/// </summary>
public sealed class CatalogSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The serializer's id (bound in reference.conf).</summary>
    public const int SerializerId = 480;

    public override int Identifier => SerializerId;

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    // The manifests are part of the journal's format: never rename or reuse one.
    private static readonly Dictionary<Type, string> Manifests = new()
    {
        [typeof(RegisterSchema)] = "RS",
        [typeof(SchemaRegistered)] = "SR",
        [typeof(SetTopicInfo)] = "ST",
        [typeof(TopicInfoUpdated)] = "TU",
        [typeof(GetContract)] = "GC",
        [typeof(ContractFound)] = "CF",
        [typeof(ListContracts)] = "LC",
        [typeof(ContractList)] = "CL",
        [typeof(CatalogRejected)] = "RJ",
        [typeof(WatchCatalog)] = "WC",
        [typeof(CatalogChanged)] = "CC",
        [typeof(ContractChanged)] = "E1",
        [typeof(CatalogSnapshot)] = "S1",
    };

    private static readonly Dictionary<string, Type> Types = Manifests.ToDictionary(p => p.Value, p => p.Key);

    private sealed record WatchCatalogData(string Watcher, long KnownRevision);

    public override string Manifest(object o) =>
        Manifests.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{o.GetType()} is no catalogue message.", nameof(o));

    public override byte[] ToBinary(object obj) => obj switch
    {
        WatchCatalog w => JsonSerializer.SerializeToUtf8Bytes(new WatchCatalogData(Akka.Serialization.Serialization.SerializedActorPath(w.Watcher), w.KnownRevision), Options),
        ListContracts => [],
        _ => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!Types.TryGetValue(manifest, out var type))
            throw new SerializationException($"Unknown catalogue manifest '{manifest}'.");
        if (type == typeof(ListContracts)) return ListContracts.Instance;
        if (type == typeof(WatchCatalog))
        {
            var data = JsonSerializer.Deserialize<WatchCatalogData>(bytes, Options) ?? throw new SerializationException("Empty WatchCatalog.");
            return new WatchCatalog(system.Provider.ResolveActorRef(data.Watcher), data.KnownRevision);
        }
        return JsonSerializer.Deserialize(bytes, type, Options) ?? throw new SerializationException($"Empty catalogue message '{manifest}'.");
    }
}
