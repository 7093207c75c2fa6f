namespace ActorPubSub.Remoting;

/// <summary>
/// A serializer whose messages <see cref="DirectDispatch"/> may read straight out of a received frame: the topic
/// protocol's (Serialization's <c>PubSubSerializer</c>, found through the binding of the protocol's wire marker).
/// </summary>
internal interface IDirectDispatchSerializer
{
    /// <summary>Whether <see cref="FromSpan"/> reads <paramref name="manifest"/>; any other is left to Akka.</summary>
    bool ReadsFromSpan(string manifest);

    /// <summary>The message under <paramref name="manifest"/>, from bytes it does not keep.</summary>
    object FromSpan(ReadOnlySpan<byte> bytes, string manifest);
}
