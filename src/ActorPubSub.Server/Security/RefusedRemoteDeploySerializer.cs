using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace ActorPubSub.Server.Security;

/// <summary>
/// The lighthouse's stand-in for Akka.Remote's <c>daemon-create</c> serializer (id 3): a peer's remote deployment
/// (<c>DaemonMsgCreate</c>) is not deserialized, so no peer creates an actor on the lighthouse. The same idea as the
/// library's <c>ActorPubSub.Client.RefusedRemoteDeploySerializer</c>; the lighthouse does not load the library, hence this
/// copy. Bound with <see cref="RefusedJsonSerializer.Hocon"/>.
/// </summary>
public sealed class RefusedRemoteDeploySerializer : Serializer
{
    public RefusedRemoteDeploySerializer(ExtendedActorSystem system) : base(system) { }

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) =>
        throw new SerializationException($"Remote deployment ({obj.GetType().Name}) is turned off on the lighthouse.");

    public override object FromBinary(byte[] bytes, Type type) =>
        throw new SerializationException(
            $"Refused a remote deployment (Akka.Remote's DaemonMsgCreate, serializer id 3, {bytes.Length} bytes): " +
            "a peer does not create actors on this node.");
}
