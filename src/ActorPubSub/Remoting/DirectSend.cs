using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Event;
using Akka.Remote;
using Google.Protobuf;

namespace ActorPubSub.Remoting;

/// <summary>
/// Writes the topic protocol's messages to a remote actor straight into the connection Akka.Remote uses for its
/// address, instead of through Akka's endpoint manager, reliable-delivery supervisor and endpoint writer (three
/// mailboxes, and an envelope built as objects, serialized whole and copied: two thirds of a node's copying in the
/// profiles of docs/benchmarks.md). The mirror of <see cref="DirectDispatch"/>, which reads them past Akka's actors.
/// Setting: <c>actorpubsub.remote.direct-send</c>.
/// <para>
/// Which messages: those ActorPubSub's actors tell through <see cref="Outbound"/> (publishes, receipts, deliveries,
/// acks) to a remote actor, written as Akka's writer writes them: the same envelope, serializer and manifest, no
/// sequence number. Akka's system messages, cluster traffic and everything else keep Akka's way.
/// </para>
/// <para>
/// Which connection, and order: per remote address a <see cref="DirectRoute"/> first tells Akka's way and sends a
/// <see cref="DirectSendFence"/> after; the transport takes the fence out when Akka's writer hands it over (<see cref="TryTakeFence"/>),
/// which tells both that everything told before it is written and which connection Akka writes to. Messages told
/// meanwhile wait in the route and are written to that connection first. From then on every message to that address is
/// written to it at once, so between one sender and one recipient the order is the order of the tells, as with Akka.
/// When the connection closes the route is dropped, and the next message starts again Akka's way.
/// </para>
/// </summary>
internal sealed class DirectSend
{
    /// <summary>Each system's direct send, by its provider (what a <see cref="RemoteActorRef"/> names).</summary>
    private static readonly ConditionalWeakTable<IActorRefProvider, DirectSend> ByProvider = new();

    private readonly ExtendedActorSystem _system;
    private readonly ILoggingAdapter _log;
    private readonly IDirectDispatchSerializer _serializer;
    private readonly int _serializerId;
    private readonly long _maxFrameSize;
    private readonly ConcurrentDictionary<Address, DirectRoute> _routes = new();
    private readonly ConcurrentDictionary<long, DirectRoute> _fences = new();
    private readonly ConcurrentDictionary<string, byte[]> _manifests = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<IActorRef, byte[]> _recipientPaths = new();
    private readonly ConditionalWeakTable<IActorRef, CachedSenderPath> _senderPaths = new();
    private long _nextFence;
    private int _fencing;
    private long _written;
    private long _fencesTaken;

    private DirectSend(ExtendedActorSystem system, ILoggingAdapter log, IDirectDispatchSerializer serializer, int serializerId,
        long maxFrameSize, TimeSpan fenceTimeout, int maxHeld)
    {
        _system = system;
        _log = log;
        _serializer = serializer;
        _serializerId = serializerId;
        _maxFrameSize = maxFrameSize;
        FenceTimeout = fenceTimeout;
        MaxHeld = maxHeld;
    }

    /// <summary>The direct send of <paramref name="system"/>, or null when the setting is off (the transport asks only without TLS).</summary>
    public static DirectSend? For(ActorSystem system, ILoggingAdapter log, long maxFrameSize)
    {
        var config = system.Settings.Config;
        if (!config.GetBoolean("actorpubsub.remote.direct-send", true)) return null;
        // log-sent-messages logs each message Akka's writer sends: with it on, every message takes Akka's way.
        if (config.GetBoolean("akka.remote.log-sent-messages", false)) return null;
        var fenceTimeout = config.GetTimeSpan("actorpubsub.remote.direct-send-fence-timeout", TimeSpan.FromSeconds(5), allowInfinite: false);
        var maxHeld = config.GetInt("actorpubsub.remote.direct-send-max-held", 100_000);
        if (fenceTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"actorpubsub.remote.direct-send-fence-timeout must be positive, was {fenceTimeout}");
        if (maxHeld < 1)
            throw new ArgumentException($"actorpubsub.remote.direct-send-max-held must be at least 1, was {maxHeld}");
        var extended = (ExtendedActorSystem)system;
        if (IDirectDispatchSerializer.BoundIn(extended, out var serializerId) is not { } writes) return null;
        var send = new DirectSend(extended, log, writes, serializerId, maxFrameSize, fenceTimeout, maxHeld);
        ByProvider.AddOrUpdate(extended.Provider, send);
        return send;
    }

    /// <summary>The direct send of the system <paramref name="provider"/> belongs to, if its transport runs one.</summary>
    public static DirectSend? Of(IActorRefProvider provider) => ByProvider.TryGetValue(provider, out var send) ? send : null;

    /// <summary>The direct send <paramref name="system"/>'s transport runs, if any (diagnostics and tests).</summary>
    public static DirectSend? Of(ActorSystem system) => Of(((ExtendedActorSystem)system).Provider);

    /// <summary>How long a route waits for its fence before what waits for it takes Akka's way (<c>direct-send-fence-timeout</c>).</summary>
    public TimeSpan FenceTimeout { get; }

    /// <summary>The most messages a route holds while its fence is out (<c>direct-send-max-held</c>); one more takes Akka's way.</summary>
    public int MaxHeld { get; }

    /// <summary>Messages written straight into a connection (diagnostics and tests).</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Fences taken out of Akka's frames: each is a route that went direct (diagnostics and tests).</summary>
    public long FencesTaken => Interlocked.Read(ref _fencesTaken);

    /// <summary>Whether a fence is out: only then does the transport look into the frames Akka's writer hands it.</summary>
    public bool Fencing => Volatile.Read(ref _fencing) > 0;

    /// <summary>The route to <paramref name="address"/>, if one is open (diagnostics and tests).</summary>
    internal DirectRoute? RouteTo(Address address) => _routes.TryGetValue(address, out var route) ? route : null;

    /// <summary>Tells <paramref name="message"/> to <paramref name="recipient"/>, straight into its connection once its route has one.</summary>
    public void Tell(RemoteActorRef recipient, object message, IActorRef? sender)
    {
        var address = recipient.Path.Address;
        while (true)
        {
            if (!_routes.TryGetValue(address, out var route))
                route = _routes.GetOrAdd(address, static (a, owner) => new DirectRoute(owner, a), this);
            if (route.Tell(recipient, message, sender)) return;
            // That route closed while this call held it: the address's next one takes the message.
        }
    }

    /// <summary>
    /// Takes a route's fence out of a frame Akka's writer hands <paramref name="handle"/>: true when the frame was one
    /// (it is not to be sent); <paramref name="ackOnly"/> is then the acknowledgement it carried, to be sent alone.
    /// </summary>
    public bool TryTakeFence(SocketAssociation handle, ReadOnlySpan<byte> pdu, out ByteString? ackOnly)
    {
        ackOnly = null;
        if (!AkkaPdu.TryReadPayload(pdu, out var container)) return false;
        if (!AkkaPdu.TryReadContainer(container, out var hasAck, out var ack, out var envelope)) return false;
        if (!AkkaPdu.TryReadEnvelope(envelope, out _, out var message, out _)) return false;
        if (!AkkaPdu.TryReadMessage(message, out var bytes, out var serializerId, out var manifest)) return false;
        if (serializerId != _serializerId || !manifest.SequenceEqual(FenceManifest)) return false;
        var fence = (DirectSendFence)_serializer.FromSpan(bytes, FenceManifestName);
        // Akka's writer puts the latest acknowledgement of system messages on the next frame it writes: it still goes.
        if (hasAck) ackOnly = AkkaPdu.AckOnly(ack);
        if (_fences.TryGetValue(fence.Id, out var route))
        {
            Interlocked.Increment(ref _fencesTaken);
            route.FenceTaken(handle, fence.Id);
        }
        return true;
    }

    /// <summary>The connection <paramref name="handle"/> closed: a route writing to it starts again Akka's way.</summary>
    public void Closed(SocketAssociation handle)
    {
        foreach (var route in _routes.Values) route.Closed(handle);
    }

    /// <summary>
    /// Writes <paramref name="message"/> to <paramref name="handle"/>; false when the connection refused it (closing),
    /// true when written or dropped because it cannot be written at all (logged, as Akka's writer drops it).
    /// </summary>
    internal bool TryWrite(SocketAssociation handle, RemoteActorRef recipient, object message, IActorRef? sender)
    {
        byte[] pdu;
        int length;
        try
        {
            // Actor references inside the message are written as Akka's writer writes them: with this system's address.
            var (proto, manifest) = Akka.Serialization.Serialization.WithTransport(_system, (_serializer, message),
                static s => (s._serializer.ToWire(s.message, out var m), m));
            var recipientPath = RecipientPath(recipient);
            var senderPath = SenderPath(sender, recipient.LocalAddressToUse);
            var manifestBytes = ManifestBytes(manifest);
            var messageSize = proto.CalculateSize();
            length = AkkaPdu.MessageLength(recipientPath, senderPath, messageSize, _serializerId, manifestBytes);
            if (length > _maxFrameSize)
            {
                _log.Error("Discarding oversized payload sent to {0}: max allowed size {1} bytes (maximum-frame-size), actual size of encoded {2} was {3} bytes",
                    recipient, _maxFrameSize, message.GetType(), length);
                return true;
            }
            // A pooled array: the connection gives it back once the frame is copied into its send buffer.
            pdu = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                AkkaPdu.WriteMessage(pdu, recipientPath, senderPath, proto, messageSize, _serializerId, manifestBytes);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(pdu);
                throw;
            }
        }
        catch (Exception e) when (e is SerializationException or ArgumentException or InvalidOperationException)
        {
            _log.Error(e, "Serialization failed for message [{0}] to {1}; dropped, the association remains", message.GetType(), recipient.Path);
            return true;
        }
        if (!handle.WritePooled(pdu, length))
        {
            ArrayPool<byte>.Shared.Return(pdu);
            return false;
        }
        Interlocked.Increment(ref _written);
        return true;
    }

    /// <summary>A new fence of <paramref name="route"/>, counted until taken or given up.</summary>
    internal long NewFence(DirectRoute route)
    {
        var id = Interlocked.Increment(ref _nextFence);
        _fences[id] = route;
        Interlocked.Increment(ref _fencing);
        _system.Scheduler.Advanced.ScheduleOnce(FenceTimeout, () => route.FenceTimedOut(id));
        return id;
    }

    /// <summary>A fence was taken or given up.</summary>
    internal void FenceDone(long id)
    {
        _fences.TryRemove(id, out _);
        Interlocked.Decrement(ref _fencing);
    }

    /// <summary>Drops <paramref name="route"/>, idle and with no connection: routes live only while an address is talked to.</summary>
    internal void Remove(DirectRoute route) => _routes.TryRemove(new KeyValuePair<Address, DirectRoute>(route.Address, route));

    internal void LogGaveUp(Address address, int held) =>
        _log.Debug("ActorPubSub direct send: no fence from Akka's writer to {0} within {1}; {2} waiting messages took Akka's way",
            address, FenceTimeout, held);

    private const string FenceManifestName = "tFN";
    private static ReadOnlySpan<byte> FenceManifest => "tFN"u8;

    private byte[] RecipientPath(IActorRef recipient)
    {
        if (_recipientPaths.TryGetValue(recipient, out var path)) return path;
        path = Encoding.UTF8.GetBytes(recipient.Path.ToSerializationFormat());
        _recipientPaths.AddOrUpdate(recipient, path);
        return path;
    }

    /// <summary>The sender's path as Akka's writer writes it: a local actor's with the address this system uses toward the recipient.</summary>
    private byte[] SenderPath(IActorRef? sender, Address local)
    {
        if (sender is null || sender.Path is null) return [];
        if (_senderPaths.TryGetValue(sender, out var cached) && cached.Local.Equals(local)) return cached.Path;
        var path = Encoding.UTF8.GetBytes(string.IsNullOrEmpty(sender.Path.Address.Host)
            ? sender.Path.ToSerializationFormatWithAddress(local)
            : sender.Path.ToSerializationFormat());
        _senderPaths.AddOrUpdate(sender, new CachedSenderPath(local, path));
        return path;
    }

    private byte[] ManifestBytes(string manifest) =>
        _manifests.TryGetValue(manifest, out var bytes) ? bytes : _manifests.GetOrAdd(manifest, static m => Encoding.UTF8.GetBytes(m));

    private sealed record CachedSenderPath(Address Local, byte[] Path);
}
