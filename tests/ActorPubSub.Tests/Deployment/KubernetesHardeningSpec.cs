using System.Text.RegularExpressions;
using ActorPubSub.Lighthouse;
using ActorPubSub.Node;
using YamlDotNet.RepresentationModel;

namespace ActorPubSub.Tests.Deployment;

/// <summary>
/// Reproduction for #13 (Kubernetes, and the base's part of item 2): the rendered base (<c>kubectl kustomize k8s</c>)
/// runs every member on mutual TLS with a certificate of its own, admits the remoting port only between members and the
/// web port only from operators, spreads brokers and lighthouses over machines, pins images to a version, and runs
/// hardened pods (startup probe, read-only root file system with a writable /tmp, seccomp RuntimeDefault, non-root,
/// memory request = limit).
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class KubernetesHardeningSpec(RenderedManifests manifests) : IClassFixture<RenderedManifests>
{
    private const string MemberLabel = "actorpubsub.io/cluster-member";
    private const string OperatorLabel = "actorpubsub.io/operator";

    [Fact]
    public void Every_member_should_run_mutual_TLS_with_its_own_certificate_from_a_Secret()
    {
        foreach (var (section, workload, container) in Members())
        {
            var where = $"{workload.Name()}/{container.Str("name")}";
            var env = manifests.Environment(container);
            string? Env(string name) => env.GetValueOrDefault($"ACTORPUBSUB_{section}__{name}")?.Value;

            // this pod's own file: $(POD_NAME).pfx in a volume from the StatefulSet's TLS Secret
            var certificate = Env("TlsCertificatePath") ?? throw new Xunit.Sdk.XunitException($"{where} runs no TLS (no {section}:TlsCertificatePath).");
            Assert.EndsWith("/$(POD_NAME).pfx", certificate, StringComparison.Ordinal);
            var ca = Env("TlsCaCertificatePath") ?? throw new Xunit.Sdk.XunitException($"{where} accepts any CA (no {section}:TlsCaCertificatePath).");
            var mount = container.Seq("volumeMounts").Cast<YamlMappingNode>()
                .Single(m => certificate.StartsWith(m.Str("mountPath")! + "/", StringComparison.Ordinal));
            Assert.StartsWith(mount.Str("mountPath")! + "/", ca, StringComparison.Ordinal);
            Assert.Equal("true", mount.Str("readOnly"));
            var volume = Pod(workload).Seq("volumes").Cast<YamlMappingNode>().Single(v => v.Str("name") == mount.Str("name"));
            Assert.Equal($"{workload.Name()}-tls", volume.MapOrNull("secret")?.Str("secretName"));
            Assert.NotNull(env.GetValueOrDefault($"ACTORPUBSUB_{section}__TlsCertificatePassword")?.From?.MapOrNull("secretKeyRef"));
            Assert.False(env.ContainsKey($"ACTORPUBSUB_{section}__{nameof(NodeSettings.AllowPlaintextRemoting)}"), $"{where} allows plain remoting.");
        }
    }

    [Fact]
    public void The_base_should_ship_no_Secret()
    {
        // Secrets are made by k8s/certs/make-certs.sh (or the user's secret store): nothing placeholder-like to run with.
        Assert.Empty(manifests.OfKind("Secret"));
        var text = string.Join("\n", manifests.Documents.Select(d => d.ToString()));
        Assert.DoesNotContain("change-me", text, StringComparison.Ordinal);
    }

    [Fact]
    public void NetworkPolicy_should_admit_remoting_only_from_members_and_the_web_port_only_from_operators()
    {
        foreach (var (_, workload, container) in Members())
        {
            var where = workload.Name();
            var labels = Pod(workload, metadata: true).MapOrNull("labels").Labels();
            Assert.Equal("true", labels.GetValueOrDefault(MemberLabel));
            var policies = manifests.OfKind("NetworkPolicy")
                .Where(p => Subset(p.Map("spec").Map("podSelector").MapOrNull("matchLabels").Labels(), labels)).ToList();
            Assert.True(policies.Count > 0, $"No NetworkPolicy selects {where}'s pods: every connection is admitted.");
            var ports = container.Seq("ports").Cast<YamlMappingNode>().ToDictionary(p => p.Str("name")!, p => p.Str("containerPort")!);
            foreach (var rule in policies.SelectMany(p => p.Map("spec").SeqOrEmpty("ingress").Cast<YamlMappingNode>()))
            {
                var rulePorts = rule.SeqOrEmpty("ports").Cast<YamlMappingNode>().Select(p => p.Str("port")!).ToList();
                Assert.True(rulePorts.Count > 0, $"An ingress rule for {where} admits every port.");
                var from = rule.SeqOrEmpty("from").Cast<YamlMappingNode>().ToList();
                Assert.True(from.Count > 0, $"An ingress rule for {where} admits every source.");
                foreach (var port in rulePorts)
                {
                    var name = ports.FirstOrDefault(p => p.Key == port || p.Value == port).Key
                               ?? throw new Xunit.Sdk.XunitException($"A NetworkPolicy of {where} names port {port}, which the pod does not have.");
                    foreach (var source in from)
                    {
                        Assert.Null(source.MapOrNull("ipBlock"));
                        var required = name == "akka" ? MemberLabel : name == "http" ? OperatorLabel : null;
                        Assert.True(required is not null, $"{where}: port {name} is admitted, only akka and http are served.");
                        // Each source is a pod or namespace selector that requires the label: nothing else qualifies.
                        var selectors = new[] { source.MapOrNull("podSelector"), source.MapOrNull("namespaceSelector") }.OfType<YamlMappingNode>().ToList();
                        Assert.True(selectors.Count > 0 && selectors.Any(s => s.MapOrNull("matchLabels").Labels().GetValueOrDefault(required!) == "true"),
                            $"{where}: port {name} is admitted from a source without {required}=true:\n{source}");
                        if (name == "akka") Assert.Null(source.MapOrNull("namespaceSelector"));   // members of this namespace only
                    }
                }
            }
            // Both ports are admitted to someone (remoting between members, the web port to operators).
            var admitted = policies.SelectMany(p => p.Map("spec").SeqOrEmpty("ingress").Cast<YamlMappingNode>())
                .SelectMany(r => r.SeqOrEmpty("ports").Cast<YamlMappingNode>().Select(p => p.Str("port"))).ToHashSet();
            Assert.True(admitted.Contains("akka") && admitted.Contains("http"), $"{where}: admitted ports {string.Join(", ", admitted)}");
        }
        // Every member's pods carry the member label, so remoting between lighthouse and brokers is admitted both ways.
        Assert.Equal(2, Members().Select(m => m.Workload.Name()).Distinct().Count());
    }

    [Fact]
    public void Brokers_and_lighthouses_should_spread_over_machines()
    {
        foreach (var (_, workload, _) in Members())
        {
            var pod = Pod(workload);
            var labels = Pod(workload, metadata: true).MapOrNull("labels").Labels();
            var spread = pod.SeqOrEmpty("topologySpreadConstraints").Cast<YamlMappingNode>().Any(c =>
                c.Str("topologyKey") == "kubernetes.io/hostname" && c.Str("maxSkew") == "1"
                && Subset(c.MapOrNull("labelSelector")?.MapOrNull("matchLabels").Labels() ?? [], labels));
            var antiAffinity = pod.MapOrNull("affinity")?.MapOrNull("podAntiAffinity") is not null;
            Assert.True(spread || antiAffinity, $"{workload.Name()} has neither a topology spread over kubernetes.io/hostname nor pod anti-affinity.");
        }
    }

    [Fact]
    public void Images_should_carry_a_version_tag()
    {
        foreach (var (workload, container) in manifests.Containers())
        {
            var image = container.Str("image")!;
            var digest = image.Contains("@sha256:", StringComparison.Ordinal);
            var tag = image.Split('/')[^1].Split('@')[0].Split(':') is [_, var t] ? t : null;
            Assert.True(digest || (tag is not null && VersionTag().IsMatch(tag)),
                $"{workload.Name()}/{container.Str("name")} runs {image}: give a release version tag (1.2.3) or a digest, not a mutable tag.");
        }
    }

    [Fact]
    public void Pods_should_be_hardened()
    {
        foreach (var workload in manifests.OfKind("StatefulSet"))
        {
            var pod = Pod(workload);
            var podSecurity = pod.MapOrNull("securityContext");
            Assert.Equal("RuntimeDefault", podSecurity?.MapOrNull("seccompProfile")?.Str("type"));
            foreach (var container in pod.Seq("containers").Cast<YamlMappingNode>())
            {
                var where = $"{workload.Name()}/{container.Str("name")}";
                var security = container.MapOrNull("securityContext") ?? throw new Xunit.Sdk.XunitException($"{where} has no securityContext.");
                Assert.True((security.Str("runAsNonRoot") ?? podSecurity?.Str("runAsNonRoot")) == "true", $"{where} may run as root.");
                Assert.Equal("false", security.Str("allowPrivilegeEscalation"));
                Assert.Equal("true", security.Str("readOnlyRootFilesystem"));
                Assert.Contains("ALL", security.Map("capabilities").Seq("drop").Cast<YamlScalarNode>().Select(n => n.Value));
                // What the programs write (.NET's diagnostics sockets and temporary files) has an emptyDir.
                var tmp = container.SeqOrEmpty("volumeMounts").Cast<YamlMappingNode>().SingleOrDefault(m => m.Str("mountPath") == "/tmp");
                Assert.True(tmp is not null, $"{where} has a read-only root file system but no writable /tmp.");
                Assert.NotNull(pod.Seq("volumes").Cast<YamlMappingNode>().Single(v => v.Str("name") == tmp.Str("name")).Node("emptyDir"));
            }
        }
        foreach (var (_, workload, container) in Members())
        {
            var where = $"{workload.Name()}/{container.Str("name")}";
            var startup = container.MapOrNull("startupProbe") ?? throw new Xunit.Sdk.XunitException($"{where} has no startupProbe.");
            Assert.Equal("http", startup.Map("httpGet").Str("port"));
            Assert.Contains(startup.Map("httpGet").Str("path"), NodeSettings.ServedPaths);
            Assert.True(startup.Int("periodSeconds") * startup.Int("failureThreshold") >= 60, $"{where}: the startup probe gives less than a minute to start.");
            // The memory the program plans with (the node's budget is a share of the limit) is the memory it is given.
            var resources = container.Map("resources");
            Assert.Equal(resources.Map("limits").Str("memory"), resources.Map("requests").Str("memory"));
        }
    }

    /// <summary>The lighthouse and broker containers, with their settings section.</summary>
    private IEnumerable<(string Section, YamlMappingNode Workload, YamlMappingNode Container)> Members()
    {
        foreach (var (workload, container) in manifests.Containers())
        {
            var name = container.Str("image")!.Split('/')[^1].Split(':')[0].Split('@')[0];
            if (name == "actorpubsub-node") yield return (NodeSettings.SectionName, workload, container);
            else if (name == "actorpubsub-lighthouse") yield return (LighthouseSettings.SectionName, workload, container);
        }
    }

    private static YamlMappingNode Pod(YamlMappingNode workload, bool metadata = false) =>
        workload.Map("spec").Map("template").Map(metadata ? "metadata" : "spec");

    private static bool Subset(Dictionary<string, string> selector, Dictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(kv => labels.GetValueOrDefault(kv.Key) == kv.Value);

    [GeneratedRegex(@"^v?\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.-]+)?$")]
    private static partial Regex VersionTag();
}
