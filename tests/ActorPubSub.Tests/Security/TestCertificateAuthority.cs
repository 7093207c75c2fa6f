using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ActorPubSub.Tests.Security;

/// <summary>
/// A certificate authority made at test time (no private key is checked in): a self-signed CA certificate and the
/// member certificates it issues, written as files the programs read — the CA as PEM, each member's certificate with
/// its private key as a password-protected PKCS#12 file. Valid for a day around now.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly X509Certificate2 _ca;
    private readonly string _folder;

    private TestCertificateAuthority(X509Certificate2 ca, string folder) => (_ca, _folder) = (ca, folder);

    /// <summary>The CA's certificate (PEM), for <c>TlsCaCertificatePath</c>.</summary>
    public string CertificatePath => Path.Combine(_folder, "ca.crt");

    public string Subject => _ca.Subject;

    public static TestCertificateAuthority Create(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        var authority = new TestCertificateAuthority(ca, Directory.CreateTempSubdirectory("actorpubsub-ca-").FullName);
        File.WriteAllText(authority.CertificatePath, ca.ExportCertificatePem());
        return authority;
    }

    /// <summary>Issues a member certificate (client and server authentication, for 127.0.0.1 and localhost) as a PKCS#12 file.</summary>
    public (string Path, string Password) Issue(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));   // server and client authentication
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var issued = request.Create(_ca, DateTimeOffset.UtcNow.AddMinutes(-30), DateTimeOffset.UtcNow.AddHours(12),
            RandomNumberGenerator.GetBytes(16));
        using var withKey = issued.CopyWithPrivateKey(key);
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var path = Path.Combine(_folder, $"{commonName}.pfx");
        File.WriteAllBytes(path, withKey.Export(X509ContentType.Pkcs12, password));
        return (path, password);
    }

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
