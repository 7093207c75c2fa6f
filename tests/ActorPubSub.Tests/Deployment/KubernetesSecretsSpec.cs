using System.Security.Cryptography.X509Certificates;
using System.Text;
using ActorPubSub.Server.Security;
using ActorPubSub.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace ActorPubSub.Tests.Deployment;

/// <summary>
/// The Secrets the Kubernetes base references but does not ship: <c>k8s/certs/make-certs.sh</c> (openssl) makes every
/// one of them, with every key the pods read — a certificate per member that loads with the keystore password and
/// chains to the cluster's CA (and to nothing else), a random admin token, a database password and the connection
/// string; and the cert-manager overlay gives every member's pod its own certificate at the same paths.
/// </summary>
[Trait("Category", "Integration")]
public sealed class KubernetesSecretsSpec(RenderedManifests manifests) : IClassFixture<RenderedManifests>, IDisposable
{
    private readonly string _out = Path.Combine(Directory.CreateTempSubdirectory("actorpubsub-k8s-secrets-").FullName, "secrets");

    [Fact]
    public void Certificate_script_should_make_every_Secret_and_key_the_base_reads()
    {
        // act
        Run();
        var secrets = LoadSecrets(Path.Combine(_out, "secrets.yaml"));

        // assert: every Secret key an env variable reads
        foreach (var (workload, container) in manifests.Containers())
        foreach (var variable in container.SeqOrEmpty("env").Cast<YamlMappingNode>())
        {
            if (variable.MapOrNull("valueFrom")?.MapOrNull("secretKeyRef") is not { } reference) continue;
            var secret = secrets.GetValueOrDefault(reference.Str("name")!)
                         ?? throw new Xunit.Sdk.XunitException($"{workload.Name()} reads Secret {reference.Str("name")}, which make-certs.sh does not make.");
            Assert.True(secret.ContainsKey(reference.Str("key")!), $"Secret {reference.Str("name")} has no key {reference.Str("key")} ({workload.Name()} reads it).");
        }
        // ... and every member's certificate, per pod of each StatefulSet, with the CA
        var password = Encoding.UTF8.GetString(secrets["tls-keystore"]["password"]);
        foreach (var workload in manifests.OfKind("StatefulSet"))
        foreach (var volume in workload.Map("spec").Map("template").Map("spec").SeqOrEmpty("volumes").Cast<YamlMappingNode>())
        {
            if (volume.MapOrNull("secret")?.Str("secretName") is not { } name) continue;
            var secret = secrets.GetValueOrDefault(name) ?? throw new Xunit.Sdk.XunitException($"{workload.Name()} mounts Secret {name}, which make-certs.sh does not make.");
            var ca = WriteFile("ca.crt", secret["ca.crt"]);
            for (var i = 0; i < workload.Map("spec").Int("replicas"); i++)
            {
                var pod = $"{workload.Name()}-{i}";
                var pfx = WriteFile($"{pod}.pfx", secret.GetValueOrDefault($"{pod}.pfx") ?? throw new Xunit.Sdk.XunitException($"Secret {name} has no {pod}.pfx."));
                Assert.Null(RemotingTlsSettings.Validate(pfx, password, ca));
                using var certificate = X509CertificateLoader.LoadPkcs12FromFile(pfx, password);
                using var authority = X509CertificateLoader.LoadCertificateFromFile(ca);
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(authority);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                Assert.True(chain.Build(certificate), $"{pod}'s certificate does not chain to the CA: {string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation))}");
                Assert.Contains($"CN={pod}.", certificate.Subject, StringComparison.Ordinal);
            }
        }
        // ... and random values, not placeholders
        var token = Encoding.UTF8.GetString(secrets["admin"]["token"]);
        Assert.True(token.Length >= 32, token);
        Assert.Contains($"Password={Encoding.UTF8.GetString(secrets["postgres"]["postgres-password"])}", Encoding.UTF8.GetString(secrets["postgres"]["connection-string"]), StringComparison.Ordinal);
        Assert.Contains("Host=postgres", Encoding.UTF8.GetString(secrets["postgres"]["connection-string"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Certificate_script_should_keep_the_CA_and_passwords_when_run_again_for_more_brokers()
    {
        // arrange
        Run();
        var before = LoadSecrets(Path.Combine(_out, "secrets.yaml"));

        // act
        Run("--brokers", "5");
        var after = LoadSecrets(Path.Combine(_out, "secrets.yaml"));

        // assert
        Assert.Equal(before["broker-tls"]["ca.crt"], after["broker-tls"]["ca.crt"]);
        Assert.Equal(before["broker-tls"]["broker-0.pfx"], after["broker-tls"]["broker-0.pfx"]);
        Assert.Equal(before["admin"]["token"], after["admin"]["token"]);
        Assert.True(after["broker-tls"].ContainsKey("broker-4.pfx"));
        var refused = Assert.Throws<Xunit.Sdk.XunitException>(() => Run("--brokers", "three"));
        Assert.Contains("'three' is not a positive whole number", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cert_manager_overlay_should_give_every_member_its_own_certificate_at_the_paths_the_base_reads()
    {
        // act
        var overlay = RenderedManifests.Of("k8s/overlays/cert-manager");

        // assert
        var certificates = overlay.OfKind("Certificate").ToDictionary(c => c.Map("spec").Str("secretName")!);
        foreach (var workload in overlay.OfKind("StatefulSet").Where(w => w.Name() is "broker" or "lighthouse"))
        {
            var pod = workload.Map("spec").Map("template").Map("spec");
            var container = pod.Seq("containers").Cast<YamlMappingNode>().Single();
            var password = overlay.Environment(container).Single(e => e.Key.EndsWith("__TlsCertificatePassword", StringComparison.Ordinal)).Value.From!.Map("secretKeyRef");
            var tls = pod.Seq("volumes").Cast<YamlMappingNode>().Single(v => v.Str("name") == "tls");
            Assert.Null(tls.Node("secret"));
            var items = tls.Map("projected").Seq("sources").Cast<YamlMappingNode>()
                .SelectMany(s => s.Map("secret").Seq("items").Cast<YamlMappingNode>().Select(i => (Secret: s.Map("secret").Str("name")!, Key: i.Str("key"), Path: i.Str("path"))))
                .ToList();
            Assert.Contains(items, i => i.Path == "ca.crt" && i.Key == "ca.crt");
            for (var n = 0; n < workload.Map("spec").Int("replicas"); n++)
            {
                var name = $"{workload.Name()}-{n}";
                var item = Assert.Single(items, i => i.Path == $"{name}.pfx");
                Assert.Equal("keystore.p12", item.Key);
                var certificate = certificates.GetValueOrDefault(item.Secret) ?? throw new Xunit.Sdk.XunitException($"No Certificate makes Secret {item.Secret} ({name}).");
                var pkcs12 = certificate.Map("spec").Map("keystores").Map("pkcs12");
                Assert.Equal("true", pkcs12.Str("create"));
                Assert.Equal((password.Str("name"), password.Str("key")), (pkcs12.Map("passwordSecretRef").Str("name"), pkcs12.Map("passwordSecretRef").Str("key")));
                Assert.Contains("client auth", certificate.Map("spec").Seq("usages").Cast<YamlScalarNode>().Select(u => u.Value));
            }
        }
    }

    private void Run(params string[] arguments) =>
        Command.Run(["bash", Path.Combine(ServiceProcess.RepositoryRoot, "k8s", "certs", "make-certs.sh"), "--out", _out, .. arguments],
            TimeSpan.FromSeconds(60), missing: "bash or openssl is missing (./test.sh installs openssl)");

    private string WriteFile(string name, byte[] content)
    {
        var path = Path.Combine(Path.GetDirectoryName(_out)!, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static Dictionary<string, Dictionary<string, byte[]>> LoadSecrets(string file)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(file)));
        return yaml.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().Where(d => d.Str("kind") == "Secret")
            .ToDictionary(d => d.Name(), d => d.Map("data").Children.ToDictionary(
                kv => ((YamlScalarNode)kv.Key).Value!, kv => Convert.FromBase64String(((YamlScalarNode)kv.Value).Value!)));
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_out)!, recursive: true);
}
