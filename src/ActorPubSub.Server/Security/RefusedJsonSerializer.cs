using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace ActorPubSub.Server.Security;

/// <summary>
/// The lighthouse's stand-in for Akka's <c>json</c> serializer (Newtonsoft with .NET type names, id 1): refuses both ways,
/// so no peer chooses the types the lighthouse creates. The same idea as the library's
/// <c>ActorPubSub.Client.RefusedJsonSerializer</c> (which the broker nodes and clients bind); the lighthouse does not load
/// the library, hence this copy.
/// </summary>
public sealed class RefusedJsonSerializer : Serializer
{
    /// <summary>
    /// Binds this serializer in Akka's JSON slot and turns off the fallback for unbound types; and binds
    /// <see cref="RefusedRemoteDeploySerializer"/> in Akka.Remote's <c>daemon-create</c> slot (no remote deployment).
    /// </summary>
    public const string Hocon = """
        akka.actor {
          serialization-settings.allow-unregistered-types = off
          serializers.json = "ActorPubSub.Server.Security.RefusedJsonSerializer, ActorPubSub.Server"
          serializers.daemon-create = "ActorPubSub.Server.Security.RefusedRemoteDeploySerializer, ActorPubSub.Server"
          serialization-identifiers {
            "ActorPubSub.Server.Security.RefusedJsonSerializer, ActorPubSub.Server" = 1
            "ActorPubSub.Server.Security.RefusedRemoteDeploySerializer, ActorPubSub.Server" = 3
          }
        }
        """;

    public RefusedJsonSerializer(ExtendedActorSystem system) : base(system) { }

    /// <summary>Akka passes the settings of the slot's name (<c>serialization-settings.json</c>, Newtonsoft's): unused.</summary>
    public RefusedJsonSerializer(ExtendedActorSystem system, Akka.Configuration.Config settings) : base(system) =>
        _ = settings;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) =>
        throw new SerializationException($"{obj.GetType().FullName} has no serializer binding; the lighthouse sends no type-name JSON.");

    public override object FromBinary(byte[] bytes, Type type) =>
        throw new SerializationException(
            $"Refused a message written by Akka's type-name JSON serializer (id 1, {bytes.Length} bytes): a peer does not choose " +
            "the .NET types this process creates.");
}
