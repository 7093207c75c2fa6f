using System.Text;
using Akka.Actor;
using Akka.Event;
using Akka.Remote;
using Google.Protobuf;

namespace ActorPubSub.Remoting;

/// <summary>
/// Takes ActorPubSub's own messages out of an inbound frame and tells them to their local recipient at once, on the
/// connection's read loop, instead of passing the frame through Akka.Remote's protocol-state actor and endpoint reader
/// (two more mailboxes and three more copies of the frame: the profiles in docs/benchmarks.md put Akka.Remote's
/// decoding and hand-offs among the largest costs of a client in another process). Setting:
/// <c>actorpubsub.remote.direct-dispatch</c>.
/// <para>
/// Which frames: an Akka payload whose envelope carries no sequence number (an ordinary message, not one of Akka's
/// system messages, which need its reliable delivery), written by the topic protocol's serializer (<see cref="IDirectDispatchSerializer"/>:
/// publishes, receipts, deliveries, acks), to an actor of this system. Everything else goes to Akka as before. An
/// acknowledgement of system messages that rides on such a frame is passed on to Akka alone, so its reliable delivery
/// sees every ack.
/// </para>
/// <para>
/// Order: a connection's frames are read in order and every frame of the topic protocol takes this way, so between one
/// sender and one recipient these messages keep their order, as Akka keeps it. The topic protocol's actors receive
/// nothing else from a remote sender. The recipient and the sender are resolved by Akka's provider, and the message is
/// told with its sender, exactly as Akka's dispatcher does. A manifest this version does not read as a current message
/// is left to Akka, which refuses it; a message under a known manifest whose bytes cannot be read is logged and dropped,
/// as Akka drops it, and the connection stays.
/// </para>
/// </summary>
internal sealed class DirectDispatch
{
    /// <summary>Each system's dispatch (a system runs one transport of this kind), for <see cref="Of"/>.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ActorSystem, DirectDispatch> BySystem = new();

    private readonly ExtendedActorSystem _system;
    private long _dispatched;
    private readonly ILoggingAdapter _log;
    private readonly IDirectDispatchSerializer _serializer;
    private readonly int _serializerId;
    private IRemoteActorRefProvider? _provider;
    private Address? _localAddress;

    private DirectDispatch(ExtendedActorSystem system, ILoggingAdapter log, IDirectDispatchSerializer serializer, int serializerId)
    {
        _system = system;
        _log = log;
        _serializer = serializer;
        _serializerId = serializerId;
    }

    /// <summary>The dispatch of <paramref name="system"/>, or null when the setting is off or untrusted mode is on (the transport asks only without TLS).</summary>
    public static DirectDispatch? For(ActorSystem system, ILoggingAdapter log)
    {
        var config = system.Settings.Config;
        if (!config.GetBoolean("actorpubsub.remote.direct-dispatch", true)) return null;
        // Untrusted mode filters what remote senders may tell, and log-received-messages logs each one: Akka's
        // dispatcher does both, so with either on every frame takes Akka's way.
        if (config.GetBoolean("akka.remote.untrusted-mode", false) || config.GetBoolean("akka.remote.log-received-messages", false)) return null;
        var extended = (ExtendedActorSystem)system;
        if (IDirectDispatchSerializer.BoundIn(extended, out var serializerId) is not { } readsSpans) return null;
        var dispatch = new DirectDispatch(extended, log, readsSpans, serializerId);
        BySystem.AddOrUpdate(system, dispatch);
        return dispatch;
    }

    /// <summary>The dispatch <paramref name="system"/>'s transport runs, if any (diagnostics and tests).</summary>
    public static DirectDispatch? Of(ActorSystem system) => BySystem.TryGetValue(system, out var dispatch) ? dispatch : null;

    /// <summary>Messages told to their recipient (or dropped as unreadable) here, past Akka's endpoint actors.</summary>
    public long Dispatched => Interlocked.Read(ref _dispatched);

    /// <summary>
    /// Tells the message in <paramref name="pdu"/> (one Akka PDU) to its recipient if it is one of the topic protocol's;
    /// false leaves the frame to Akka. <paramref name="ackOnly"/>: the PDU to pass to Akka after a dispatched message,
    /// when the frame also carried an acknowledgement.
    /// </summary>
    public bool TryDispatch(ReadOnlySpan<byte> pdu, out ByteString? ackOnly)
    {
        ackOnly = null;
        if (!AkkaPdu.TryReadPayload(pdu, out var container)) return false;
        if (!AkkaPdu.TryReadContainer(container, out var hasAck, out var ack, out var envelope)) return false;
        if (!AkkaPdu.TryReadEnvelope(envelope, out var recipientPath, out var message, out var senderPath)) return false;
        if (!AkkaPdu.TryReadMessage(message, out var bytes, out var serializerId, out var manifest) || serializerId != _serializerId) return false;
        // A manifest this version does not read as a current message (unknown, or a legacy one) is Akka's to refuse.
        var name = Encoding.UTF8.GetString(manifest);
        if (!_serializer.ReadsFromSpan(name)) return false;

        var provider = _provider ??= RemoteActorRefProvider();
        if (provider is null) return false;
        var local = _localAddress ??= provider.DefaultAddress;
        var recipient = provider.ResolveActorRefWithLocalAddress(Encoding.UTF8.GetString(recipientPath), local);
        // Only actors of this system (a live cell or one being started); a remote or unknown recipient is Akka's to route.
        if (recipient is not ActorRefWithCell) return false;
        // No sender on the wire: dead letters, as Akka's dispatcher tells it.
        var sender = senderPath.IsEmpty ? _system.DeadLetters : provider.ResolveActorRefWithLocalAddress(Encoding.UTF8.GetString(senderPath), local);

        if (hasAck) ackOnly = AkkaPdu.AckOnly(ack);
        Interlocked.Increment(ref _dispatched);
        object read;
        try
        {
            read = _serializer.FromSpan(bytes, name);
        }
        catch (Exception e)
        {
            _log.Warning(e, "Deserialization failed for an ActorPubSub message (manifest [{0}], {1} bytes) to {2}; dropped, the association remains",
                name, bytes.Length, recipient.Path);
            return true;
        }
        recipient.Tell(read, sender);
        return true;
    }

    private IRemoteActorRefProvider? RemoteActorRefProvider()
    {
        var provider = _system.Provider as IRemoteActorRefProvider;
        // The provider's address is known once remoting listens; a frame before that goes to Akka.
        return provider?.DefaultAddress is null ? null : provider;
    }
}
