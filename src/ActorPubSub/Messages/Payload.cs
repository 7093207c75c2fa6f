namespace ActorPubSub.Messages;

/// <summary>
/// A user message after Akka serialization: the serializer id and manifest travel with the bytes, so the
/// topic never needs the user's types and consumers deserialize with whatever serializer the user bound.
/// </summary>
/// <param name="SerializerId">The Akka serializer identifier that produced <paramref name="Bytes"/>.</param>
/// <param name="Manifest">The serializer's manifest (empty when the serializer does not use one).</param>
/// <param name="Bytes">The serialized message. Never mutated after creation.</param>
public sealed record Payload(int SerializerId, string Manifest, byte[] Bytes)
{
    /// <summary>Bytes this payload adds to a stored or delivered message (used for size limits).</summary>
    public int Size => Bytes.Length + MessageSize.OfText(Manifest);
}
