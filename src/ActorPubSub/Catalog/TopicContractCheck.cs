using System.Globalization;
using Akka.Actor;
using Akka.Event;
using ActorPubSub.Topics;

namespace ActorPubSub.Catalog;

/// <summary>
/// The topic's side of validation, so <c>enforce</c> holds for every publisher: a publish that no client of this version
/// checked (a ClusterClient or older client, a program speaking the topic protocol) is checked at its topic against the
/// node's <see cref="ContractCache"/> before it is numbered. A publish that carries <see cref="SchemaVersionHeader"/> with
/// the topic's current version (or a newer one this node has not heard of yet) was checked by its client and passes
/// untouched, unless <c>actorpubsub.catalog.topic-recheck = on</c>. Only JSON text can be read here (a <c>string</c> or
/// <c>byte[]</c> payload): the node has no user types, so a typed payload it did not see checked is refused on an
/// enforce topic (and counted on a warn topic).
/// </summary>
internal sealed class TopicContractCheck : IPublishCheck
{
    /// <summary>The header a validated publish carries: the schema version its payload was checked against.</summary>
    public const string SchemaVersionHeader = "schema-version";

    private readonly ExtendedActorSystem _system;
    private readonly ContractCache _cache;
    private readonly CatalogSettings _settings;
    private readonly ILoggingAdapter _log;
    // (serializer id, manifest) of a string and of a byte[]: the only payloads the node reads (no user types here)
    private readonly (int Id, string Manifest) _string;
    private readonly (int Id, string Manifest) _bytes;
    // The serializer Google.Protobuf messages travel with, when it writes their wire bytes as they are (Akka's
    // ProtobufSerializer does): a Protobuf contract checks those bytes without the message's type. Null otherwise.
    private readonly int? _protobufMessages;

    public TopicContractCheck(ExtendedActorSystem system, ContractCache cache, CatalogSettings settings)
    {
        _system = system;
        _cache = cache;
        _settings = settings;
        _log = Logging.GetLogger(system, typeof(TopicContractCheck));
        _string = Format(system, "");
        _bytes = Format(system, Array.Empty<byte>());
        _protobufMessages = ProtobufMessages(system);
    }

    private static int? ProtobufMessages(ExtendedActorSystem system)
    {
        var sample = new Google.Protobuf.WellKnownTypes.Int32Value { Value = 300 };
        try
        {
            var serializer = system.Serialization.FindSerializerFor(sample);
            return serializer.ToBinary(sample).AsSpan().SequenceEqual(Google.Protobuf.MessageExtensions.ToByteArray(sample)) ? serializer.Identifier : null;
        }
        catch (Exception)
        {
            return null;
        }
    }

    public string? Refusal(string topic, ref Publish publish)
    {
        if (!_cache.Active || _cache.Find(topic) is not { Validation: not ValidationMode.Off } contract) return null;
        if (!_settings.TopicRecheck && publish.Headers is { } headers && headers.TryGetValue(SchemaVersionHeader, out var text) &&
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version >= contract.Version)
            return null;
        var failure = Check(contract, publish);
        if (failure is not null)
        {
            ContractMetrics.Violation(topic, contract.Validation);
            if (contract.Validation == ValidationMode.Enforce)
                return $"The message does not match schema version {contract.Version} of topic '{topic}' (validation enforce, checked at the topic) at {failure}; nothing was stored.";
            if (contract.ShouldWarn(_settings.WarnLogInterval))
                _log.Warning("Topic '{0}' (validation warn, checked at the topic): a published message does not match schema version {1} at {2}; it was stored.",
                    topic, contract.Version, failure);
        }
        publish = publish with { Headers = (publish.Headers ?? System.Collections.Immutable.ImmutableDictionary<string, string>.Empty).SetItem(SchemaVersionHeader, contract.VersionText) };
        return null;
    }

    private static (int, string) Format(ExtendedActorSystem system, object sample)
    {
        var serializer = system.Serialization.FindSerializerFor(sample);
        return (serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, sample));
    }

    private string? Check(CompiledContract contract, Publish publish)
    {
        var payload = publish.Payload;
        var format = (payload.SerializerId, payload.Manifest);
        if (contract.Message is { } type)
        {
            // A byte[] or a Google.Protobuf message: both are the wire bytes as they are, walked without building anything.
            if (format == _bytes || payload.SerializerId == _protobufMessages) return ProtobufWire.Check(type, payload.Bytes);
            return $"/: the payload (serializer {payload.SerializerId}{(payload.Manifest.Length > 0 ? $", manifest '{payload.Manifest}'" : "")}) " +
                   $"is not Protobuf wire format; the topic's contract takes {type.FullName} as a byte[] or a Google.Protobuf message";
        }
        if (format != _string && format != _bytes)
            return $"/: the payload (serializer {payload.SerializerId}{(payload.Manifest.Length > 0 ? $", manifest '{payload.Manifest}'" : "")}) " +
                   "cannot be read as JSON at the topic; publish JSON text (a string or byte[]) or through an ActorPubSub client that validates typed payloads itself";
        object message;
        try
        {
            // Only the string and byte-array serializers are used here: they build a string or a byte[], nothing else.
            message = _system.Serialization.Deserialize(payload.Bytes, payload.SerializerId, payload.Manifest);
        }
        catch (Exception e)
        {
            return $"/: the payload cannot be read ({e.Message})";
        }
        return contract.Check(message);
    }
}
