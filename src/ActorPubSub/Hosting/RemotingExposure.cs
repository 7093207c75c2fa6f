using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Akka.Remote;

namespace ActorPubSub.Hosting;

/// <summary>
/// Refuses to run an ActorSystem whose Akka.Remote is open to anyone: bound to an address off loopback on plain TCP (or
/// on TLS without mutual authentication, or with validation suppressed), unless
/// <c>actorpubsub.allow-plaintext-remoting</c> is on. Plain remoting authenticates nobody, so any process that reaches
/// the port could join the cluster. Checked from the ActorSystem's final configuration at start, since the host may
/// configure remoting before or after <c>WithActorPubSub</c>.
/// </summary>
internal static class RemotingExposure
{
    private const string Tcp = "akka.remote.dot-netty.tcp";

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the bound address and the fixes when remoting is exposed.</summary>
    public static void Check(ActorSystem system)
    {
        if (system is not ExtendedActorSystem { Provider: IRemoteActorRefProvider }) return;   // no remoting at all
        if (Problem(system.Settings.Config) is { } problem) throw new InvalidOperationException(problem);
    }

    /// <summary>Why <paramref name="config"/> leaves remoting open to anyone; null when it does not.</summary>
    public static string? Problem(Config config)
    {
        if (config.GetBoolean("actorpubsub.allow-plaintext-remoting", false)) return null;
        var host = config.GetString($"{Tcp}.hostname", "");
        // Akka binds every interface when no hostname is configured.
        var bound = string.IsNullOrWhiteSpace(host) ? "0.0.0.0 (no hostname configured)" : host;
        if (IsLoopbackOnly(host)) return null;
        var tls = config.GetBoolean($"{Tcp}.enable-ssl", false);
        var mutual = config.GetBoolean($"{Tcp}.ssl.require-mutual-authentication", true);
        var validated = !config.GetBoolean($"{Tcp}.ssl.suppress-validation", false);
        if (tls && mutual && validated) return null;
        var what = !tls ? "plain TCP" : !mutual ? "TLS without mutual authentication" : "TLS with certificate validation suppressed";
        return $"ActorPubSub: Akka.Remote binds {bound}, off loopback, with {what}: any process that reaches the port could join " +
               "this cluster. Run mutual TLS (WithRemoting(new RemoteOptions { EnableSsl = true, Ssl = new SslOptions { X509Certificate = ..., " +
               "RequireMutualAuthentication = true } }); docs/security.md), bind 127.0.0.1, or, on a network you trust as a whole, set " +
               "PubSubOptions.AllowPlaintextRemoting = true (actorpubsub.allow-plaintext-remoting = on).";
    }

    private static bool IsLoopbackOnly(string host)
    {
        var trimmed = host.Trim().Trim('[', ']');
        return string.Equals(trimmed, "localhost", StringComparison.OrdinalIgnoreCase)
               || (IPAddress.TryParse(trimmed, out var ip) && IPAddress.IsLoopback(ip));
    }
}
