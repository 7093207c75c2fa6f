using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote;
using Akka.Remote.Transport;

namespace ActorPubSub.Remoting;

/// <summary>
/// Akka.Remote's TCP transport, written for the message path: the product's default
/// (<c>akka.remote.dot-netty.tcp.transport-class</c>, set by <c>WithActorPubSub</c>; <c>PubSubOptions.RemoteTransport</c>).
/// It reads Akka's DotNetty transport's settings and speaks its wire (length-prefixed Akka PDUs), so nodes and clients on
/// either transport talk to each other and the addresses stay <c>akka.tcp://…</c>.
/// <para>
/// Why: with Akka's transport every frame is copied into a new array, handed to an event loop thread, and, on a
/// connection this side opened, read back through an unpooled buffer that grows by copies. Those copies, the event
/// loop's channel lock and the hand-offs were the largest items in the profiles of a client in another process
/// (docs/benchmarks.md). This transport sends on the writer's thread from a pooled buffer and reads into a pooled one.
/// </para>
/// <para>
/// With <c>enable-ssl</c> on, every call goes to Akka's own DotNetty transport, which runs the TLS (mutual
/// authentication, certificate validation callbacks, <c>DotNettySslSetup</c>) exactly as configured.
/// </para>
/// <para>
/// The listening socket is always exclusive: <c>tcp-reuse-addr</c> (<c>SO_REUSEPORT</c> on Linux) is not applied, so a
/// second process cannot share the port.
/// </para>
/// </summary>
internal sealed class SocketTransport : Transport
{
    /// <summary>The value of <c>transport-class</c> that selects this transport.</summary>
    public const string ClassName = "ActorPubSub.Remoting.SocketTransport, ActorPubSub";

    /// <summary>Akka's own TCP transport, used for TLS.</summary>
    public const string AkkaClassName = "Akka.Remote.Transport.DotNetty.TcpTransport, Akka.Remote";

    private readonly Transport? _tls;
    private readonly TaskCompletionSource<IAssociationEventListener> _associationListener = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<SocketAssociation, byte> _associations = new(ReferenceEqualityComparer.Instance);
    private Socket? _listener;
    private volatile bool _shutDown;

    public SocketTransport(ActorSystem system, Config config)
    {
        System = system;
        Config = config;
        Log = Logging.GetLogger(system, typeof(SocketTransport));
        if (config.GetBoolean("enable-ssl", false))
        {
            _tls = (Transport)Activator.CreateInstance(Type.GetType(AkkaClassName, throwOnError: true)!, system, config)!;
            SchemeIdentifier = _tls.SchemeIdentifier;
        }
        else
        {
            SchemeIdentifier = "tcp";
        }
        Settings = SocketTransportSettings.Create(config, system.Settings.Config);
        // With TLS, Akka's transport reads every frame: nothing to dispatch here.
        Direct = _tls is null ? DirectDispatch.For(system, Log) : null;
        Sends = _tls is null ? DirectSend.For(system, Log, Settings.MaxFrameSize) : null;
    }

    public SocketTransportSettings Settings { get; }

    public ILoggingAdapter Log { get; }

    /// <summary>The direct dispatch of topic-protocol frames, or null when <c>actorpubsub.remote.direct-dispatch</c> is off.</summary>
    internal DirectDispatch? Direct { get; }

    /// <summary>The direct send of topic-protocol messages, or null when <c>actorpubsub.remote.direct-send</c> is off.</summary>
    internal DirectSend? Sends { get; }

    public override long MaximumPayloadBytes => _tls?.MaximumPayloadBytes ?? Settings.MaxFrameSize;

    public override bool IsResponsibleFor(Address remote) => _tls?.IsResponsibleFor(remote) ?? true;

    public override async Task<(Address, TaskCompletionSource<IAssociationEventListener>)> Listen()
    {
        if (_tls is not null) return await _tls.Listen().ConfigureAwait(false);
        var endpoint = await Resolve(Settings.Hostname, Settings.Port).ConfigureAwait(false);
        var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(endpoint);
            listener.Listen(Settings.Backlog);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new RemoteTransportException($"Failed to bind to [{endpoint}]: {e.Message}", e);
        }
        _listener = listener;
        var address = ToAddress((IPEndPoint)listener.LocalEndPoint!, Settings.PublicHostname, Settings.PublicPort);
        _ = AcceptLoop(listener);
        return (address, _associationListener);
    }

    public override async Task<AssociationHandle> Associate(Address remoteAddress)
    {
        if (_tls is not null) return await _tls.Associate(remoteAddress).ConfigureAwait(false);
        if (_shutDown || _listener is null) throw new InvalidAssociationException("The transport is not listening (not started, or shut down)");
        if (remoteAddress.Port is not { } port) throw new InvalidAssociationException($"{remoteAddress} has no port");
        IPEndPoint endpoint;
        try
        {
            endpoint = await Resolve(remoteAddress.Host, port).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or KeyNotFoundException)
        {
            throw new InvalidAssociationException($"Failed to resolve {remoteAddress}: {e.Message}", e);
        }
        // A peer that advertised a wildcard address is reached on this machine's loopback (as Akka's transport does).
        if (endpoint.Address.Equals(IPAddress.Any)) endpoint = new IPEndPoint(IPAddress.Loopback, port);
        else if (endpoint.Address.Equals(IPAddress.IPv6Any)) endpoint = new IPEndPoint(IPAddress.IPv6Loopback, port);

        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var timeout = new CancellationTokenSource(Settings.ConnectTimeout);
            await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
            Configure(socket);
        }
        catch (Exception e)
        {
            socket.Dispose();
            throw e switch
            {
                OperationCanceledException => new InvalidAssociationException($"Connecting to {remoteAddress} timed out after {Settings.ConnectTimeout} (connection-timeout)"),
                SocketException s => new InvalidAssociationException($"{s.Message} {remoteAddress}", s),
                _ => new InvalidAssociationException($"Failed to associate with {remoteAddress}", e),
            };
        }
        var handle = new SocketAssociation(ToAddress((IPEndPoint)socket.LocalEndPoint!, Settings.Hostname, null), remoteAddress, socket, this, inbound: false);
        Track(handle);
        return handle;
    }

    public override async Task<bool> Shutdown()
    {
        if (_tls is not null) return await _tls.Shutdown().ConfigureAwait(false);
        _shutDown = true;
        _listener?.Dispose();
        foreach (var association in _associations.Keys) association.Close();
        return true;
    }

    public override Task<bool> ManagementCommand(object message) =>
        _tls?.ManagementCommand(message) ?? Task.FromResult(true);

    /// <summary>Drops a closed association from the set that <see cref="Shutdown"/> closes.</summary>
    internal void Forget(SocketAssociation association) => _associations.TryRemove(association, out _);

    private void Track(SocketAssociation association)
    {
        _associations[association] = 0;
        if (_shutDown) association.Close();   // shut down while connecting
        association.Start();
    }

    private async Task AcceptLoop(Socket listener)
    {
        // Like Akka's transport: no connection is taken before Akka registered its listener.
        var events = await _associationListener.Task.ConfigureAwait(false);
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException && _shutDown)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of descriptors and the like: say so, wait a little, keep accepting.
                Log.Error(e, "ActorPubSub transport: accepting a connection failed");
                await Task.Delay(100).ConfigureAwait(false);
                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            try
            {
                Configure(socket);
                var handle = new SocketAssociation(
                    ToAddress((IPEndPoint)socket.LocalEndPoint!, Settings.Hostname, null),
                    ToAddress((IPEndPoint)socket.RemoteEndPoint!, null, null),
                    socket, this, inbound: true);
                Track(handle);
                events.Notify(new InboundAssociation(handle));
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                socket.Dispose();   // the peer went away between accept and set-up
            }
        }
    }

    private void Configure(Socket socket)
    {
        socket.NoDelay = Settings.TcpNoDelay;
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, Settings.TcpKeepAlive);
        if (Settings.ReceiveBufferSize is { } receive) socket.ReceiveBufferSize = receive;
        if (Settings.SendBufferSize is { } send) socket.SendBufferSize = send;
    }

    private async Task<IPEndPoint> Resolve(string host, int port)
    {
        var trimmed = host.Trim('[', ']');
        if (IPAddress.TryParse(trimmed, out var ip)) return new IPEndPoint(ip, port);
        var entry = await Dns.GetHostEntryAsync(trimmed).ConfigureAwait(false);
        // The last address of the family, as Akka's transport picks it.
        var found = entry.AddressList.LastOrDefault(a => a.AddressFamily == Settings.DnsFamily)
                    ?? throw new KeyNotFoundException($"{host} has no {(Settings.DnsUseIpv6 ? "IPv6" : "IPv4")} address (dns-use-ipv6 = {(Settings.DnsUseIpv6 ? "on" : "off")})");
        return new IPEndPoint(found, port);
    }

    /// <summary>The Akka address of a socket end: the configured host name when there is one, else its IP address.</summary>
    private Address ToAddress(IPEndPoint socket, string? host, int? publicPort)
    {
        var name = string.IsNullOrEmpty(host) ? Literal(socket.Address)
            : IPAddress.TryParse(host, out var ip) ? Literal(ip) : host;
        return new Address(SchemeIdentifier, System.Name, name, publicPort ?? socket.Port);
    }

    private static string Literal(IPAddress ip) => ip.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + ip + "]" : ip.ToString();
}
