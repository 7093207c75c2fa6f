using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using ActorPubSub.Messages;

namespace ActorPubSub.Client;

/// <summary>
/// The consuming side of payload safety: a consumer reads a payload only with a serializer it chose — the one bound to
/// its handler's type, or to each of <see cref="SubscriptionOptions.AcceptedPayloadTypes"/> — never with the serializer
/// id the publisher wrote. So a publisher cannot make consumers run a serializer that creates the types named in the
/// bytes (Akka's Newtonsoft JSON with <c>"$type"</c>). A payload of another serializer, or whose type-name manifest names
/// a type that is not accepted, is refused with <see cref="UnprocessableMessageException"/> (dead-lettered at once): it
/// can never become readable by retrying.
/// </summary>
internal sealed class PayloadDecoder
{
    private readonly ExtendedActorSystem _system;
    private readonly Type _target;
    // serializer id -> the serializer and the accepted types bound to it
    private readonly ImmutableDictionary<int, (Serializer Serializer, ImmutableArray<Type> Types)> _accepted;
    // type-name manifest -> its accepted type: resolving one scans the loaded assemblies, too slow for every delivery. Only
    // accepted manifests are kept, so the cache is bounded by the loaded types the handler accepts, whatever publishers send.
    private readonly ConcurrentDictionary<string, Type> _acceptedManifests = new(StringComparer.Ordinal);

    private PayloadDecoder(ExtendedActorSystem system, Type target, ImmutableDictionary<int, (Serializer, ImmutableArray<Type>)> accepted)
    {
        _system = system;
        _target = target;
        _accepted = accepted;
    }

    /// <summary>
    /// The decoder of a handler of <paramref name="target"/> reading <paramref name="acceptedTypes"/> (default: the
    /// handler's type); an <see cref="ArgumentException"/> naming the fix when one has no safe serializer.
    /// </summary>
    public static PayloadDecoder Create(ExtendedActorSystem system, Type target, IReadOnlyCollection<Type>? acceptedTypes)
    {
        var types = acceptedTypes is { Count: > 0 } ? acceptedTypes : [target];
        var accepted = new Dictionary<int, (Serializer Serializer, ImmutableArray<Type> Types)>();
        foreach (var type in types)
        {
            if (type is null) throw new ArgumentException("AcceptedPayloadTypes holds a null type.", "options");
            if (!target.IsAssignableFrom(type))
                throw new ArgumentException(
                    $"AcceptedPayloadTypes names {type.FullName}, which the handler's type {target.FullName} cannot take: each accepted " +
                    "type must be the handler's type or derive from it.", "options");
            Serializer serializer;
            try
            {
                serializer = system.Serialization.FindSerializerForType(type);
            }
            catch (SerializationException)
            {
                throw new ArgumentException(Unreadable(type), acceptedTypes is null ? "handler" : "options");
            }
            if (RefusedJsonSerializer.ReadsTypeNames(serializer))
                throw new ArgumentException(Unreadable(type), acceptedTypes is null ? "handler" : "options");
            accepted[serializer.Identifier] = accepted.TryGetValue(serializer.Identifier, out var known)
                ? (serializer, known.Types.Add(type))
                : (serializer, [type]);
        }
        return new PayloadDecoder(system, target, accepted.ToImmutableDictionary(kv => kv.Key, kv => kv.Value));
    }

    /// <summary>
    /// The message's body, read with an accepted serializer; <see cref="UnprocessableMessageException"/> when it was
    /// written by another one or names a type that is not the handler's. Errors of the serializer itself (a manifest it
    /// does not know, bad bytes) pass through: a newer consumer may read them (retried like handler failures).
    /// </summary>
    public object Decode(TopicMessage message, string topic)
    {
        var payload = message.Payload;
        if (!_accepted.TryGetValue(payload.SerializerId, out var reader))
            throw new UnprocessableMessageException(
                $"Refused message #{message.Sequence} of topic '{topic}': it was written by serializer id {payload.SerializerId}" +
                $"{Describe(payload.SerializerId)}, and this consumer of {_target.FullName} reads only serializer id(s) " +
                $"{string.Join(", ", _accepted.Keys.Order())}. A consumer reads payloads with the serializer bound to its handler's type " +
                "(or to each of SubscriptionOptions.AcceptedPayloadTypes), never with one the publisher chose.");
        return Akka.Serialization.Serialization.WithTransport(_system, (decoder: this, reader, payload, message, topic),
            static s => s.decoder.Read(s.reader.Serializer, s.reader.Types, s.payload, s.message, s.topic));
    }

    private object Read(Serializer serializer, ImmutableArray<Type> types, Payload payload, TopicMessage message, string topic)
    {
        if (serializer is SerializerWithStringManifest withManifest) return withManifest.FromBinary(payload.Bytes, payload.Manifest);
        if (string.IsNullOrEmpty(payload.Manifest)) return serializer.FromBinary(payload.Bytes, null!);
        return serializer.FromBinary(payload.Bytes, AcceptedType(types, payload.Manifest, message, topic));
    }

    // A type-name manifest (e.g. Akka's protobuf serializer): the type must be an accepted one or derive from it, and is
    // only looked up among assemblies already loaded — the bytes never make this process load an assembly.
    private Type AcceptedType(ImmutableArray<Type> types, string manifest, TopicMessage message, string topic)
    {
        if (_acceptedManifests.TryGetValue(manifest, out var known)) return known;
        var type = LoadedType(manifest);
        if (type is null || !types.Any(t => t.IsAssignableFrom(type)))
            throw new UnprocessableMessageException(
                $"Refused message #{message.Sequence} of topic '{topic}': its manifest names the type '{manifest}', " +
                $"{(type is null ? "which is not loaded in this process" : "which is not")} one this consumer accepts " +
                $"({string.Join(", ", types.Select(t => t.FullName))}).");
        _acceptedManifests.TryAdd(manifest, type);
        return type;
    }

    private static Type? LoadedType(string name)
    {
        try
        {
            return Type.GetType(name,
                assemblyResolver: wanted => AppDomain.CurrentDomain.GetAssemblies()
                    .FirstOrDefault(a => AssemblyName.ReferenceMatchesDefinition(wanted, a.GetName())),
                typeResolver: null, throwOnError: false);
        }
        catch (Exception e) when (e is ArgumentException or FileLoadException or BadImageFormatException or TypeLoadException)
        {
            return null;
        }
    }

    private static string Describe(int id) =>
        id == RefusedJsonSerializer.JsonIdentifier ? " (Akka's JSON with .NET type names, which ActorPubSub never reads)" : "";

    /// <summary>Why a handler of <paramref name="type"/> cannot be given payloads, and the fix.</summary>
    private static string Unreadable(Type type) =>
        $"A handler of {type.FullName} needs a serializer bound to that type: it has none but Akka's type-name JSON fallback, " +
        "which ActorPubSub never reads (the bytes would choose the types created). Bind a serializer for it (HOCON " +
        "akka.actor.serialization-bindings, or Akka.Hosting's WithCustomSerializer), use string, byte[] or a Google.Protobuf " +
        "message (for a handler of a base type or object, list the payload types in SubscriptionOptions.AcceptedPayloadTypes). " +
        "See docs/payloads.md.";
}
