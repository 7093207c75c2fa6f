using System.Net;
using Akka.Actor;

namespace ActorPubSub.Server.Membership;

/// <summary>Addresses of cluster members: seed node checks and the address to bind.</summary>
internal static class ClusterAddresses
{
    /// <summary>
    /// The address Akka.Remote binds when none is configured for a cluster member: the advertised address itself
    /// when it is a loopback IP (a member reachable only on this machine listens only there), else every interface.
    /// </summary>
    public static string DefaultBindHostname(string? advertised) =>
        advertised is not null && IPAddress.TryParse(advertised, out var ip) && IPAddress.IsLoopback(ip) ? advertised : "0.0.0.0";

    /// <summary>True when <paramref name="host"/> is an address to bind, not one others can reach.</summary>
    public static bool IsUnspecified(string host) => host is "0.0.0.0" or "::" or "[::]";

    /// <summary>Why <paramref name="seed"/> is not a seed node address of ActorSystem <paramref name="systemName"/>; null when it is.</summary>
    /// <param name="tls">Remoting runs TLS: the addresses are <c>akka.ssl.tcp://</c>.</param>
    public static string? ValidateSeedNode(string seed, string systemName, bool tls = false)
    {
        var scheme = tls ? "akka.ssl.tcp" : "akka.tcp";
        if (!seed.StartsWith($"{scheme}://", StringComparison.Ordinal)
            || !Address.TryParse(seed, out var address, out var path)
            || address.Host is null || address.Port is null or <= 0 or > 65535
            || path is not (null or "" or "/"))
            return $"must be an address like {scheme}://{systemName}@host:4053" + (tls ? " (remoting uses TLS)" : "");
        if (address.System != systemName)
            return $"names ActorSystem '{address.System}', but this member's ActorSystem is '{systemName}' (members of a cluster share one name)";
        return null;
    }
}
