using System.Net;

namespace ActorPubSub.Server.Security;

/// <summary>
/// The rule that keeps remoting from being open to anyone: a member whose Akka.Remote binds an address other processes
/// can reach (anything but loopback) runs mutual TLS, unless plain TCP is allowed explicitly
/// (<c>AllowPlaintextRemoting=true</c>, for a network that is trusted as a whole). Plain Akka.Remote authenticates
/// nobody: any process that reaches the port can join the cluster, and send every member whatever it likes.
/// </summary>
internal static class PlaintextRemoting
{
    /// <summary>The name of the setting (node and lighthouse alike) that allows plain TCP off loopback.</summary>
    public const string Setting = "AllowPlaintextRemoting";

    /// <summary>True when <paramref name="bindHostname"/> is reachable from this machine only (a loopback IP or <c>localhost</c>).</summary>
    public static bool IsLoopbackOnly(string bindHostname)
    {
        var host = bindHostname.Trim().Trim('[', ']');
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
               || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    /// <summary>
    /// Why this member may not start, as the rule of the <c>TlsCertificatePath</c> setting; null when it may: TLS is on,
    /// remoting binds loopback only, or plain TCP is allowed.
    /// </summary>
    public static string? Validate(string bindHostname, bool tls, bool allowPlaintext, string section) =>
        tls || allowPlaintext || IsLoopbackOnly(bindHostname)
            ? null
            : $"is required: Akka.Remote binds {bindHostname}, off loopback, and plain TCP lets any process that reaches the port " +
              $"join the cluster. Give this member a certificate ({section}:TlsCertificatePath, {section}:TlsCaCertificatePath; " +
              $"docs/security.md), bind loopback only ({section}:Hostname=127.0.0.1), or set {section}:{Setting}=true " +
              "on a network you trust";
}
