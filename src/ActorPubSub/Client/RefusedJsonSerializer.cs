using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace ActorPubSub.Client;

/// <summary>
/// Takes the place of Akka's <c>json</c> serializer (<see cref="NewtonSoftJsonSerializer"/>, id 1) on ActorPubSub's
/// ActorSystems and refuses both ways. Akka's one writes .NET type names into the JSON (<c>"$type"</c>, with no binder)
/// and creates whatever type the bytes name: a peer that can reach the remoting port, or a publisher, would choose the
/// types this process creates. With it in the id-1 slot such a message fails to deserialize (Akka.Remote logs and drops
/// it), and a type without a serializer binding fails to serialize with an error naming the fix.
/// </summary>
/// <remarks>
/// Bound by HOCON (<c>akka.actor.serializers.json</c>, <c>serialization-identifiers</c>), see
/// <see cref="Hosting.PubSubConfig.PeerSafeSerialization"/>. Akka's own messages have serializers of their own.
/// </remarks>
public sealed class RefusedJsonSerializer : Serializer
{
    /// <summary>Akka's identifier of its JSON serializer, which this one takes over.</summary>
    public const int JsonIdentifier = 1;

    public RefusedJsonSerializer(ExtendedActorSystem system) : base(system) { }

    /// <summary>Akka passes the settings of the slot's name (<c>serialization-settings.json</c>, Newtonsoft's): unused.</summary>
    public RefusedJsonSerializer(ExtendedActorSystem system, Akka.Configuration.Config settings) : base(system) =>
        _ = settings;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) =>
        throw new SerializationException(PayloadSerializers.Unbound(obj.GetType()));

    public override object FromBinary(byte[] bytes, Type type) =>
        throw new SerializationException(
            $"Refused a message written by Akka's type-name JSON serializer (id {JsonIdentifier}, {bytes.Length} bytes): a peer does " +
            "not choose the .NET types this process creates. Bind an explicit serializer for the message type on both sides " +
            "(akka.actor.serialization-bindings, or Akka.Hosting's WithCustomSerializer).");

    /// <summary>True for a serializer that creates the types named in its bytes: Akka's Newtonsoft JSON or its slot.</summary>
    public static bool ReadsTypeNames(Serializer serializer) =>
        serializer is NewtonSoftJsonSerializer or RefusedJsonSerializer || serializer.Identifier == JsonIdentifier;
}
