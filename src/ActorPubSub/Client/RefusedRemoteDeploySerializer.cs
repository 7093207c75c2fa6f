using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace ActorPubSub.Client;

/// <summary>
/// Takes the place of Akka.Remote's <c>daemon-create</c> serializer (<c>DaemonMsgCreateSerializer</c>, id 3) on
/// ActorPubSub's ActorSystems (bound in <see cref="Hosting.PubSubConfig.PeerSafeSerialization"/>) and refuses both ways. With Akka's one, a peer that reaches the remoting port can deploy an
/// actor of a type it names onto this process (<c>Props.WithDeploy(new Deploy(new RemoteScope(address)))</c>: a
/// <c>DaemonMsgCreate</c> to <c>/remote</c>), with constructor arguments it chose. Nothing of ActorPubSub deploys
/// remotely, so such a message fails to deserialize here (Akka.Remote logs a warning and drops it, the association stays).
/// </summary>
/// <remarks>
/// Akka.Remote's <c>untrusted-mode</c> drops daemon messages too, but also every inbound actor selection outside
/// <c>trusted-selection-paths</c> and every <c>IPossiblyHarmful</c> message, which Akka.Cluster's gossip and heartbeats
/// and our own watchdogs need; this binding refuses only remote deployment.
/// </remarks>
public sealed class RefusedRemoteDeploySerializer : Serializer
{
    /// <summary>Akka.Remote's identifier of its <c>DaemonMsgCreate</c> serializer, which this one takes over.</summary>
    public const int DaemonMsgCreateIdentifier = 3;

    public RefusedRemoteDeploySerializer(ExtendedActorSystem system) : base(system) { }

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) =>
        throw new SerializationException(
            $"Remote deployment ({obj.GetType().Name}) is turned off on ActorPubSub's ActorSystems: create the actor on its own node.");

    public override object FromBinary(byte[] bytes, Type type) =>
        throw new SerializationException(
            $"Refused a remote deployment (Akka.Remote's DaemonMsgCreate, serializer id {DaemonMsgCreateIdentifier}, {bytes.Length} bytes): " +
            "a peer does not create actors on this node.");
}
