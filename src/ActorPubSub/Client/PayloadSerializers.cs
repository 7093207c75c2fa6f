using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using ActorPubSub.Messages;

namespace ActorPubSub.Client;

/// <summary>
/// The publishing side of payload safety: a message is serialized with the serializer bound to its type, never with
/// Akka's type-name JSON fallback (consumers refuse it, see <see cref="PayloadDecoder"/>), so an unbound type fails at
/// publish with the fix instead of at every consumer.
/// </summary>
internal static class PayloadSerializers
{
    /// <summary>The payload of <paramref name="message"/>, or an <see cref="ArgumentException"/> naming the fix.</summary>
    public static Payload Serialize(ExtendedActorSystem system, object message)
    {
        Serializer serializer;
        try
        {
            serializer = system.Serialization.FindSerializerFor(message);
        }
        catch (SerializationException)
        {
            // allow-unregistered-types = off (our default): Akka found no binding.
            throw new ArgumentException(Unbound(message.GetType()), nameof(message));
        }
        if (RefusedJsonSerializer.ReadsTypeNames(serializer))
            throw new ArgumentException(Unbound(message.GetType()), nameof(message));
        return new Payload(serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, message), serializer.ToBinary(message));
    }

    /// <summary>What to do about a type that has no serializer of its own.</summary>
    public static string Unbound(Type type) =>
        $"{type.FullName} has no serializer binding, and ActorPubSub does not use Akka's fallback (Newtonsoft JSON with .NET type " +
        "names, which lets the bytes choose the types a consumer creates). Bind a serializer for it: in HOCON " +
        $"akka.actor.serializers.mine = \"MyApp.MySerializer, MyApp\" and akka.actor.serialization-bindings {{ \"{type.FullName}, " +
        $"{type.Assembly.GetName().Name}\" = mine }}, or with Akka.Hosting builder.WithCustomSerializer(\"mine\", [typeof({type.Name})], " +
        "system => new MySerializer(system)); or publish a string, byte[] or Google.Protobuf message instead (see docs/payloads.md).";
}
