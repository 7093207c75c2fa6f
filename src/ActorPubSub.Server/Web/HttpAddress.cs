using System.Globalization;
using System.Net;

namespace ActorPubSub.Server.Web;

/// <summary>
/// Where the web server (health and admin endpoints) listens: <c>host:port</c> with an IP address
/// (<c>127.0.0.1:9110</c>, <c>0.0.0.0:9110</c>, <c>[::1]:9110</c>), <c>localhost</c> or <c>*</c> (every interface);
/// port 0 picks a free one.
/// </summary>
internal sealed record HttpAddress(IPAddress Ip, int Port)
{
    /// <summary>Loopback only, so nothing is exposed unless configured.</summary>
    public const string Default = "127.0.0.1:9110";

    /// <summary>True when only this machine can connect (an admin endpoint needs no token there).</summary>
    public bool IsLoopback => IPAddress.IsLoopback(Ip);

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says what is allowed.</summary>
    public static bool TryParse(string? text, out HttpAddress address, out string error)
    {
        address = null!;
        error = "must be host:port with an IP address, localhost or * as host (e.g. 127.0.0.1:9110, 0.0.0.0:9110, [::1]:9110) and a port 0-65535";
        if (string.IsNullOrWhiteSpace(text)) return false;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            return false;
        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        else if (host.Contains(':')) return false;   // an IPv6 address needs brackets: [::1]:9110
        IPAddress? ip = host switch
        {
            "*" => IPAddress.Any,
            "localhost" => IPAddress.Loopback,
            _ => IPAddress.TryParse(host, out var parsed) ? parsed : null,
        };
        if (ip is null) return false;
        address = new HttpAddress(ip, port);
        error = "";
        return true;
    }

    public override string ToString() => Ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
        ? $"[{Ip}]:{Port.ToString(CultureInfo.InvariantCulture)}"
        : $"{Ip}:{Port.ToString(CultureInfo.InvariantCulture)}";
}
