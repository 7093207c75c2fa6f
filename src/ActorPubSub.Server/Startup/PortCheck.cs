using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace ActorPubSub.Server.Startup;

/// <summary>
/// A port in use stops the program. Akka.Remote binds with reuse-address, which .NET turns into <c>SO_REUSEPORT</c> on
/// Linux: a second member on a port in use would start, log "listening" and share the port with the first (connections
/// split between two processes, perhaps two clusters). So remoting binds exclusively (<see cref="ExclusiveRemotingHocon"/>),
/// and both ports are tried before anything starts, so that the program says which port with one line.
/// </summary>
internal static class PortCheck
{
    /// <summary>
    /// Akka.Remote's own <c>tcp-reuse-addr</c> is on (off only on Windows) and means <c>SO_REUSEPORT</c> here. Off, a
    /// restart still binds a port whose old connections linger in TIME_WAIT: .NET sets <c>SO_REUSEADDR</c> on Unix itself.
    /// </summary>
    public const string ExclusiveRemotingHocon = "akka.remote.dot-netty.tcp.tcp-reuse-addr = off";

    /// <summary>
    /// Why <paramref name="host"/>:<paramref name="port"/> cannot be bound, as one line naming <paramref name="what"/> and
    /// <paramref name="setting"/>; null when it can (or the port is 0, or the host does not resolve: the program's own
    /// start reports that).
    /// </summary>
    public static string? InUse(string what, string host, int port, string setting)
    {
        if (port == 0) return null;
        IPAddress address;
        try
        {
            address = IPAddress.TryParse(host.Trim('[', ']'), out var ip) ? ip : Dns.GetHostAddresses(host).First();
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Bound without reuse-port: fails exactly when another socket listens on the port (on this address or on all).
            socket.Bind(new IPEndPoint(address, port));
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return Message(what, $"{host}:{port.ToString(CultureInfo.InvariantCulture)}", setting);
        }
        catch (SocketException)
        {
            return null;   // not an address of this machine and the like: the program's own bind says so
        }
    }

    /// <summary>The one line for a port in use.</summary>
    public static string Message(string what, string endpoint, string setting) =>
        $"the {what} port {endpoint} is in use by another program (another node or lighthouse?); stop it or choose another port with {setting}";

    /// <summary>True when <paramref name="error"/> or an exception inside it is a bind that found its address in use (a race lost after the check).</summary>
    public static bool IsAddressInUse(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is AddressInUseException or SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }) return true;
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsAddressInUse)) return true;
        }
        return false;
    }
}
