using Akka.Actor;
using Akka.Serialization;

namespace ActorPubSub.Serialization;

/// <summary>Explicit binary serializer for every <see cref="IPubSubWireMessage"/>. (Being written.)</summary>
public sealed class PubSubSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 471;
    public override int Identifier => SerializerId;
    public override byte[] ToBinary(object obj) => throw new NotImplementedException();
    public override object FromBinary(byte[] bytes, string manifest) => throw new NotImplementedException();
    public override string Manifest(object o) => throw new NotImplementedException();
}
