using System.Net;
using System.Net.Sockets;
using Akka.Configuration;

namespace ActorPubSub.Remoting;

/// <summary>
/// What <see cref="SocketTransport"/> reads from its section, <c>akka.remote.dot-netty.tcp</c>: the same keys and defaults
/// as Akka's DotNetty transport, so a configuration written for Akka.Remote (Akka.Hosting's <c>WithRemoting</c>, seed
/// addresses, public host names, the frame size) means the same thing with either transport.
/// </summary>
internal sealed record SocketTransportSettings(
    string Hostname,
    string PublicHostname,
    int Port,
    int? PublicPort,
    int MaxFrameSize,
    TimeSpan ConnectTimeout,
    bool LittleEndian,
    bool DnsUseIpv6,
    bool TcpNoDelay,
    bool TcpKeepAlive,
    int Backlog,
    int? ReceiveBufferSize,
    int? SendBufferSize,
    TimeSpan FlushWaitOnShutdown)
{
    /// <summary>Akka.Remote's own floor for <c>maximum-frame-size</c>.</summary>
    public const int MinFrameSize = 32000;

    /// <summary>Reads <paramref name="section"/>; <paramref name="root"/> is the whole configuration (for <c>akka.remote.flush-wait-on-shutdown</c>).</summary>
    public static SocketTransportSettings Create(Config section, Config root)
    {
        if (!string.Equals(section.GetString("transport-protocol", "tcp"), "tcp", StringComparison.OrdinalIgnoreCase))
            throw new ConfigurationException("ActorPubSub's remote transport speaks TCP only: transport-protocol must be tcp.");
        var host = section.GetString("hostname", null);
        if (string.IsNullOrWhiteSpace(host)) host = IPAddress.Any.ToString();
        var publicHost = section.GetString("public-hostname", null);
        var publicPort = section.GetInt("public-port", 0);
        var order = section.GetString("byte-order", "little-endian").ToLowerInvariant();
        if (order is not ("little-endian" or "big-endian"))
            throw new ConfigurationException($"Unknown byte-order [{order}]: allowed are little-endian and big-endian.");
        var frame = section.GetByteSize("maximum-frame-size", null) ?? 128000;
        if (frame is < MinFrameSize or > int.MaxValue - 4)
            throw new ConfigurationException($"maximum-frame-size is {frame} bytes: allowed are {MinFrameSize} to {int.MaxValue - 4}.");
        return new SocketTransportSettings(
            host,
            string.IsNullOrEmpty(publicHost) ? host : publicHost,
            section.GetInt("port", 2552),
            publicPort > 0 ? publicPort : null,
            (int)frame,
            section.GetTimeSpan("connection-timeout", TimeSpan.FromSeconds(15)),
            order == "little-endian",
            section.GetBoolean("dns-use-ipv6", false),
            // Akka's default too: the message path wants every frame out at once.
            section.GetBoolean("tcp-nodelay", true),
            section.GetBoolean("tcp-keepalive", true),
            section.GetInt("backlog", 4096),
            Positive(section.GetByteSize("receive-buffer-size", null) ?? 256000),
            Positive(section.GetByteSize("send-buffer-size", null) ?? 256000),
            root.GetTimeSpan("akka.remote.flush-wait-on-shutdown", TimeSpan.FromSeconds(2)));
    }

    /// <summary>The address family a host name resolves to (IPv4 unless <c>dns-use-ipv6</c>).</summary>
    public AddressFamily DnsFamily => DnsUseIpv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;

    private static int? Positive(long value) => value > 0 ? (int)Math.Min(value, int.MaxValue) : null;
}
