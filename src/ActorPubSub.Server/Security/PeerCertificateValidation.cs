using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace ActorPubSub.Server.Security;

/// <summary>
/// The check of a peer's certificate when the cluster has a CA of its own: the certificate must chain to that CA and
/// nothing else (a custom root trust, so a certificate from a CA the machine happens to trust is refused).
/// </summary>
internal static class PeerCertificateValidation
{
    public static CertificateValidationCallback ChainsTo(X509Certificate2 ca) => (certificate, presented, peer, errors, log) =>
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            log.Warning("Remoting TLS: refused {Peer}: it presented no certificate", peer);
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        // A private CA publishes no revocation lists; rotate certificates (short lifetimes) instead.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // Intermediate certificates the peer sent along.
        if (presented is not null)
            foreach (var element in presented.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        if (chain.Build(certificate)) return true;
        log.Warning("Remoting TLS: refused {Peer}: its certificate {Subject} (issued by {Issuer}) does not chain to the cluster's CA {CaSubject}: {ChainStatus}",
            peer, certificate.Subject, certificate.Issuer, ca.Subject,
            string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim())));
        return false;
    };
}
