using ActorPubSub.Messages;
using Akka.Actor;
using Akka.Remote;

namespace ActorPubSub.Remoting;

/// <summary>
/// How ActorPubSub's actors tell the topic protocol's messages (publishes, receipts, deliveries, acks): to a remote
/// actor through <see cref="DirectSend"/> when the system's transport runs it, otherwise as <c>Tell</c> does. Only the
/// topic protocol's messages go this way; every other message is told as usual.
/// </summary>
internal static class Outbound
{
    /// <summary>Tells <paramref name="message"/> with the current actor as its sender, as <c>Tell</c> inside an actor does.</summary>
    public static void Tell(IActorRef recipient, object message) => Tell(recipient, message, ActorCell.GetCurrentSelfOrNoSender());

    public static void Tell(IActorRef recipient, object message, IActorRef? sender)
    {
        // Only the topic protocol's serializer writes in place; any other message (a Status.Failure reply, a dead-letter
        // store's message) is Akka's to serialize.
        if (message is IPubSubWireMessage && recipient is RemoteActorRef remote && DirectSend.Of(remote.Provider) is { } direct)
            direct.Tell(remote, message, sender);
        else recipient.Tell(message, sender);
    }
}
