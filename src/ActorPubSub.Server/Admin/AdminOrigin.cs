using System.Globalization;
using System.Net;
using ActorPubSub.Server.Web;
using Microsoft.AspNetCore.Http;

namespace ActorPubSub.Server.Admin;

/// <summary>
/// Which <c>Host</c> and <c>Origin</c> an admin request may carry, so that a web page in a browser on this machine
/// cannot use the endpoint: a cross-site request carries the page's <c>Origin</c> (refused unless it is the endpoint's
/// own), and a page that rebinds its DNS name to 127.0.0.1 carries its own name as <c>Host</c> (refused unless the name
/// is configured). pbm, curl and scripts send no <c>Origin</c> and the address they connect to as <c>Host</c>.
/// </summary>
/// <remarks>
/// Allowed hosts: <c>localhost</c> and loopback IP addresses on the port the request arrived at (the port the
/// endpoint listens on); when the web server listens beyond loopback, also any IP address (an address cannot be
/// rebound) and the configured names (the machine's host name, the advertised host name, <c>AdminHostNames</c>) on any
/// port (a Service or a port-forward may map the port).
/// </remarks>
internal sealed class AdminOrigin
{
    private readonly bool _loopbackOnly;
    private readonly HashSet<string> _names;

    public AdminOrigin(HttpAddress address, IEnumerable<string?> names)
    {
        _loopbackOnly = address.IsLoopback;
        _names = new HashSet<string>(names.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n!.Trim().TrimEnd('.')),
            StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The configured names this endpoint answers to besides loopback and IP addresses.</summary>
    public IReadOnlyCollection<string> Names => _names;

    /// <summary>Why the request is refused (a one-line reason for the 403), or null when its Host and Origin are this endpoint's.</summary>
    public string? Refuse(HttpContext context)
    {
        var request = context.Request;
        var port = context.Connection.LocalPort;
        if (request.Host.HasValue && !IsOwn(request.Host.Host, request.Host.Port, port))
            return $"Host '{request.Host.Value}' is not this endpoint's own: use 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)} or localhost "
                   + $"(a name other than those must be listed in AdminHostNames); a web page that renamed itself to this address is refused";
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !SameOrigin(origin, request.Host))
            return $"cross-site request refused: Origin '{origin}' is not this endpoint's own (http://{request.Host.Value}); "
                   + "pbm and curl send no Origin";
        // Sent by browsers on every request, with or without Origin (a GET through a link or an image has none).
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite is "cross-site" or "same-site")
            return $"cross-site request refused: Sec-Fetch-Site is '{fetchSite}'; the admin endpoint serves pbm and scripts, not web pages";
        return null;
    }

    private bool IsOwn(string host, int? hostPort, int listening)
    {
        var name = host.TrimStart('[').TrimEnd(']').TrimEnd('.');
        var samePort = (hostPort ?? 80) == listening;
        if (string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase)) return samePort;
        if (IPAddress.TryParse(name, out var ip))
            return IPAddress.IsLoopback(ip) ? samePort : !_loopbackOnly;
        return _names.Contains(name);
    }

    private static bool SameOrigin(string origin, HostString host) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && uri.Scheme == Uri.UriSchemeHttp
        && host.HasValue
        && string.Equals(uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port.ToString(CultureInfo.InvariantCulture)}",
            host.Value, StringComparison.OrdinalIgnoreCase)
        && uri.AbsolutePath == "/";
}
