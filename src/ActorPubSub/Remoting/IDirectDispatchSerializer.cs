using ActorPubSub.Messages;
using Akka.Actor;
using Google.Protobuf;

namespace ActorPubSub.Remoting;

/// <summary>
/// The topic protocol's serializer as the direct paths use it (Serialization's <c>PubSubSerializer</c>, found through
/// the binding of the protocol's wire marker): <see cref="DirectDispatch"/> reads its messages straight out of a
/// received frame, and <see cref="DirectSend"/> writes them straight into one.
/// </summary>
internal interface IDirectDispatchSerializer
{
    /// <summary>Whether <see cref="FromSpan"/> reads <paramref name="manifest"/>; any other is left to Akka.</summary>
    bool ReadsFromSpan(string manifest);

    /// <summary>The message under <paramref name="manifest"/>, from bytes it does not keep.</summary>
    object FromSpan(ReadOnlySpan<byte> bytes, string manifest);

    /// <summary>
    /// <paramref name="message"/>'s protobuf form and manifest, exactly what <c>ToBinary</c> and <c>Manifest</c> give, for
    /// a frame that writes the message in place. Actor references in it are written as the current transport
    /// information says (the caller sets it, as Akka's endpoint writer does).
    /// </summary>
    IMessage ToWire(object message, out string manifest);

    /// <summary>
    /// The topic protocol's serializer as <paramref name="system"/> binds it (reference.conf binds the protocol's wire
    /// marker) and its id, or null when the binding names another serializer: then both direct paths stay off.
    /// </summary>
    static IDirectDispatchSerializer? BoundIn(ExtendedActorSystem system, out int identifier)
    {
        var serializer = system.Serialization.FindSerializerForType(typeof(IPubSubWireMessage));
        identifier = serializer.Identifier;
        return serializer as IDirectDispatchSerializer;
    }
}
