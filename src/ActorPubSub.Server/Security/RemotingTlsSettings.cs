using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Remote.Hosting;

namespace ActorPubSub.Server.Security;

/// <summary>
/// Mutual TLS for Akka.Remote (the DotNetty transport): this member presents <see cref="CertificatePath"/> (PKCS#12,
/// with its private key) both when it accepts a connection and when it opens one, and requires the other side's
/// certificate too (<c>require-mutual-authentication</c>); a peer whose certificate is missing or does not validate is
/// refused during the TLS handshake, so it cannot join. Validation (never suppressed): the peer's certificate must chain
/// to <see cref="CaCertificatePath"/> when given (only that CA, the machine's trusted CAs are not consulted: a
/// certificate from any public CA does not get in), else to a CA the machine trusts. Host names are not checked
/// (members connect by IP or pod name, each with a certificate of its own); revocation is not checked. The addresses of
/// a cluster on TLS are <c>akka.ssl.tcp://</c>.
/// </summary>
internal sealed record RemotingTlsSettings(string CertificatePath, string? CertificatePassword, string? CaCertificatePath)
{
    /// <summary>The address scheme of members on TLS.</summary>
    public const string Scheme = "akka.ssl.tcp";

    /// <summary>Why the settings are invalid, as (setting, value, rule), or null. All null: TLS is off.</summary>
    public static (string Setting, object? Value, string Rule)? Validate(string? certificatePath, string? password, string? caPath)
    {
        if (certificatePath is null)
        {
            if (password is not null) return ("TlsCertificatePassword", "(not shown)", "is set, but TlsCertificatePath is not");
            if (caPath is not null) return ("TlsCaCertificatePath", caPath, "is set, but TlsCertificatePath is not (TLS needs this member's own certificate)");
            return null;
        }
        if (!File.Exists(certificatePath)) return ("TlsCertificatePath", certificatePath, "names no file");
        try
        {
            using var certificate = LoadCertificate(certificatePath, password);
            if (!certificate.HasPrivateKey) return ("TlsCertificatePath", certificatePath, "holds no private key: give a PKCS#12 (.pfx) file with the key");
        }
        catch (CryptographicException e)
        {
            return ("TlsCertificatePath", certificatePath, $"cannot be read as PKCS#12 with the given password ({e.Message.Trim()})");
        }
        if (caPath is null) return null;
        if (!File.Exists(caPath)) return ("TlsCaCertificatePath", caPath, "names no file");
        try
        {
            using var _ = X509CertificateLoader.LoadCertificateFromFile(caPath);
        }
        catch (CryptographicException e)
        {
            return ("TlsCaCertificatePath", caPath, $"is not a certificate (PEM or DER) ({e.Message.Trim()})");
        }
        return null;
    }

    /// <summary>The settings, or null when TLS is off (no certificate).</summary>
    public static RemotingTlsSettings? Create(string? certificatePath, string? password, string? caPath) =>
        certificatePath is null ? null : new RemotingTlsSettings(certificatePath, password, caPath);

    /// <summary>Remoting options with TLS on: this member's certificate, mutual authentication, the peer check.</summary>
    public RemoteOptions Apply(RemoteOptions options)
    {
        var certificate = LoadCertificate(CertificatePath, CertificatePassword);
        options.EnableSsl = true;
        options.Ssl = new SslOptions
        {
            X509Certificate = certificate,
            SuppressValidation = false,
            RequireMutualAuthentication = true,
            ValidateCertificateHostname = false,
            CustomValidator = CaCertificatePath is null ? null : PeerCertificateValidation.ChainsTo(X509CertificateLoader.LoadCertificateFromFile(CaCertificatePath)),
        };
        return options;
    }

    /// <summary>For the start-up log: what this member presents and what it accepts.</summary>
    public override string ToString()
    {
        using var certificate = LoadCertificate(CertificatePath, CertificatePassword);
        var accepts = CaCertificatePath is null
            ? "peers with a certificate from a CA this machine trusts"
            : $"only peers with a certificate issued by {X509CertificateLoader.LoadCertificateFromFile(CaCertificatePath).Subject}";
        return $"mutual TLS: presents {certificate.Subject} (expires {certificate.NotAfter:yyyy-MM-dd}), accepts {accepts}";
    }

    private static X509Certificate2 LoadCertificate(string path, string? password) =>
        X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
}
