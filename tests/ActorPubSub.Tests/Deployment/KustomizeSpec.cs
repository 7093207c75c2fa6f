using System.Globalization;
using ActorPubSub.Lighthouse;
using ActorPubSub.Node;
using YamlDotNet.RepresentationModel;

namespace ActorPubSub.Tests.Deployment;

/// <summary>
/// Renders the Kubernetes base (<c>kubectl kustomize k8s</c>) and checks it against the programs: every environment
/// variable given to the lighthouse and broker containers is one the program reads (as the programs declare it, not a
/// list kept here), ports and probes match the configured ports and the paths the web server serves, cluster addresses
/// are the pods' stable DNS names, every member runs the same ActorSystem and Split Brain Resolver, and the pods have a
/// disruption budget, a least-privilege service account, lifecycle hooks and resources.
/// </summary>
[Trait("Category", "Integration")]
public sealed class KustomizeSpec(RenderedManifests manifests) : IClassFixture<RenderedManifests>
{
    /// <summary>What the test knows of each program: the image it runs from, and what the program declares.</summary>
    private sealed record App(string Image, string Section, Func<string, bool> Reads, IReadOnlyList<string> ServedPaths,
        int DefaultPort, string DefaultHttpAddress, string DefaultActorSystem, string DefaultSplitBrainResolver, TimeSpan ReadinessAnswer)
    {
        public string Setting(string name) => $"ACTORPUBSUB_{Section}__{name}";
    }

    private static readonly App Node = new("actorpubsub-node", NodeSettings.SectionName, NodeSettings.ReadsEnvironmentVariable,
        NodeSettings.ServedPaths, 0, NodeSettings.DefaultHttpAddress, NodeSettings.DefaultActorSystemName,
        NodeSettings.DefaultSplitBrainResolver, NodeSettings.ReadinessAnswerTimeout);

    private static readonly App Lighthouse = new("actorpubsub-lighthouse", LighthouseSettings.SectionName,
        LighthouseSettings.ReadsEnvironmentVariable, LighthouseSettings.ServedPaths, LighthouseSettings.DefaultPort,
        LighthouseSettings.DefaultHttpAddress, LighthouseSettings.DefaultActorSystemName, LighthouseSettings.DefaultSplitBrainResolver,
        LighthouseSettings.ReadinessAnswerTimeout);

    [Fact]
    public void Manifests_should_run_the_lighthouse_and_three_broker_nodes_on_PostgreSQL()
    {
        // act
        var apps = AppContainers().ToList();
        var broker = Assert.Single(apps, a => a.App == Node);
        var lighthouse = Assert.Single(apps, a => a.App == Lighthouse);
        var env = manifests.Environment(broker.Container);

        // assert
        Assert.Equal(3, broker.Workload.Map("spec").Int("replicas"));
        Assert.True(lighthouse.Workload.Map("spec").Int("replicas") >= 1);
        Assert.Equal("postgresql", Value(env, Node.Setting(nameof(NodeSettings.StorageProvider))));
        var connection = Assert.IsType<RenderedManifests.EnvValue>(env.GetValueOrDefault(Node.Setting(nameof(NodeSettings.PostgreSqlConnectionString))));
        var secretRef = connection.From?.MapOrNull("secretKeyRef") ?? throw new Xunit.Sdk.XunitException("The connection string must come from a Secret.");
        // The Secret is the user's (made by k8s/certs/make-certs.sh; KubernetesSecretsSpec checks it holds a connection string).
        Assert.Equal(("postgres", "connection-string"), (secretRef.Str("name"), secretRef.Str("key")));
        Assert.Single(manifests.OfKind("StatefulSet"), s => s.Name() == "postgres");
        Assert.NotNull(manifests.Find("Service", "postgres"));
    }

    [Fact]
    public void Every_environment_variable_of_an_app_container_should_be_one_the_app_reads()
    {
        foreach (var (app, workload, container) in AppContainers())
        {
            var env = manifests.Environment(container);
            // A variable the app does not read is allowed only as the source of a $(NAME) reference, like POD_NAME.
            var referenced = env.Values.Where(v => v.Value is not null)
                .SelectMany(v => System.Text.RegularExpressions.Regex.Matches(v.Value!, @"\$\((\w+)\)").Select(m => m.Groups[1].Value))
                .ToHashSet();
            var unread = env.Keys.Where(name => !app.Reads(name) && !referenced.Contains(name)).ToList();
            Assert.True(unread.Count == 0, $"{workload.Name()}/{container.Str("name")} sets {string.Join(", ", unread)}, which {app.Image} does not read.");
            foreach (var name in referenced)
                Assert.True(env.ContainsKey(name), $"{workload.Name()} references $({name}), which it does not define.");
        }
    }

    [Fact]
    public void Container_ports_and_probes_should_match_the_configured_ports_and_served_paths()
    {
        foreach (var (app, workload, container) in AppContainers())
        {
            var where = $"{workload.Name()}/{container.Str("name")}";
            var env = manifests.Environment(container);
            var ports = container.Seq("ports").Cast<YamlMappingNode>().ToDictionary(p => p.Str("name")!, p => p.Int("containerPort"));

            var akkaPort = int.Parse(Value(env, app.Setting("Port"), "CLUSTER_PORT") ?? app.DefaultPort.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            Assert.True(akkaPort > 0, $"{where}: the Akka.Remote port must be fixed in Kubernetes (CLUSTER_PORT), not 0.");
            Assert.True(ports.GetValueOrDefault("akka") == akkaPort, $"{where}: containerPort 'akka' is {ports.GetValueOrDefault("akka")}, the app listens on {akkaPort}.");

            var http = Value(env, app.Setting("HttpAddress")) ?? app.DefaultHttpAddress;
            var httpPort = int.Parse(http[(http.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
            Assert.True(ports.GetValueOrDefault("http") == httpPort, $"{where}: containerPort 'http' is {ports.GetValueOrDefault("http")}, the web server listens on {http}.");
            Assert.True(http.StartsWith("0.0.0.0:", StringComparison.Ordinal) || http.StartsWith("*:", StringComparison.Ordinal) || http.StartsWith("[::]:", StringComparison.Ordinal),
                $"{where}: the web server listens on {http}; probes come from outside the pod, so it must listen on every interface.");

            foreach (var kind in new[] { "readinessProbe", "livenessProbe" })
            {
                var probe = container.MapOrNull(kind) ?? throw new Xunit.Sdk.XunitException($"{where} has no {kind}.");
                var get = probe.Map("httpGet");
                var port = get.Str("port")!;
                var number = int.TryParse(port, out var n) ? n : ports.GetValueOrDefault(port);
                Assert.True(number == httpPort, $"{where}: {kind} calls port {port}, the web server listens on {httpPort}.");
                Assert.Contains(get.Str("path"), app.ServedPaths);
                var timeout = int.Parse(probe.Str("timeoutSeconds") ?? "1", CultureInfo.InvariantCulture);
                Assert.True(timeout > app.ReadinessAnswer.TotalSeconds,
                    $"{where}: {kind} times out after {timeout} s, but an answer can take {app.ReadinessAnswer.TotalSeconds} s.");
            }
            Assert.Equal("/health/ready", container.Map("readinessProbe").Map("httpGet").Str("path"));
            Assert.Equal("/health/live", container.Map("livenessProbe").Map("httpGet").Str("path"));
        }

        // Services reach the pods on named container ports that exist.
        foreach (var service in manifests.OfKind("Service").Where(s => s.Name() != "postgres"))
        {
            var selector = service.Map("spec").MapOrNull("selector").Labels();
            var pod = AppContainers().Single(a => Matches(selector, a.Workload.Map("spec").Map("template").Map("metadata").MapOrNull("labels").Labels()));
            var names = pod.Container.Seq("ports").Cast<YamlMappingNode>().Select(p => p.Str("name")).ToHashSet();
            foreach (var port in service.Map("spec").Seq("ports").Cast<YamlMappingNode>())
                Assert.True(names.Contains(port.Str("targetPort")), $"Service {service.Name()} targets port {port.Str("targetPort")}, which {pod.Workload.Name()} does not have.");
        }
    }

    [Fact]
    public void Cluster_addresses_should_be_the_stable_DNS_names_of_the_pods()
    {
        foreach (var (app, workload, container) in AppContainers())
        {
            var where = $"{workload.Name()}/{container.Str("name")}";
            var env = manifests.Environment(container);
            var serviceName = workload.Map("spec").Str("serviceName")!;
            var service = manifests.Get("Service", serviceName);

            // CLUSTER_IP is $(POD_NAME).<headless service>: the name other members reach this pod by.
            Assert.Equal($"$(POD_NAME).{serviceName}", Value(env, app.Setting("PublicHostname"), "CLUSTER_IP"));
            Assert.Equal("metadata.name", env["POD_NAME"].From?.MapOrNull("fieldRef")?.Str("fieldPath"));
            Assert.Equal("None", service.Map("spec").Str("clusterIP"));
            Assert.True(service.Map("spec").Str("publishNotReadyAddresses") == "true",
                $"Service {serviceName} must publish pods that are not ready: members reach each other before they are Up.");

            // Each seed is akka.tcp://<system>@<statefulset>-<i>.<service>:<port> of a pod that exists.
            var system = Value(env, app.Setting("ActorSystemName"), "ACTORSYSTEM") ?? app.DefaultActorSystem;
            var seeds = (Value(env, "CLUSTER_SEEDS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.True(seeds.Length > 0, $"{where} has no CLUSTER_SEEDS.");
            foreach (var seed in seeds)
            {
                // Remoting runs mutual TLS in the base: the addresses are akka.ssl.tcp://.
                var match = System.Text.RegularExpressions.Regex.Match(seed, @"^akka\.ssl\.tcp://(?<system>[^@]+)@(?<sts>[a-z0-9-]+)-(?<i>\d+)\.(?<svc>[a-z0-9-]+):(?<port>\d+)$");
                Assert.True(match.Success, $"{where}: seed {seed} is not akka.ssl.tcp://system@<pod>.<service>:port.");
                Assert.Equal(system, match.Groups["system"].Value);
                var seedSet = manifests.Get("StatefulSet", match.Groups["sts"].Value);
                Assert.Equal(seedSet.Map("spec").Str("serviceName"), match.Groups["svc"].Value);
                Assert.True(int.Parse(match.Groups["i"].Value, CultureInfo.InvariantCulture) < seedSet.Map("spec").Int("replicas"), $"{where}: seed {seed} names a pod beyond the replicas.");
                var seedContainer = AppContainers().Single(a => a.Workload == seedSet);
                // Lighthouses first; brokers may follow, so that a restarted lighthouse rejoins the running cluster.
                if (seed == seeds[0]) Assert.Equal(Lighthouse, seedContainer.App);
                var seedApp = seedContainer.App;
                var seedEnv = manifests.Environment(seedContainer.Container);
                Assert.Equal(Value(seedEnv, seedApp.Setting("Port"), "CLUSTER_PORT") ?? seedApp.DefaultPort.ToString(CultureInfo.InvariantCulture), match.Groups["port"].Value);
            }
        }
    }

    [Fact]
    public void Every_member_should_use_the_same_ActorSystem_name_and_Split_Brain_Resolver()
    {
        var members = AppContainers().Select(a =>
        {
            var env = manifests.Environment(a.Container);
            return (Name: a.Workload.Name(),
                System: Value(env, a.App.Setting("ActorSystemName"), "ACTORSYSTEM") ?? a.App.DefaultActorSystem,
                Resolver: Value(env, a.App.Setting("SplitBrainResolver")) ?? a.App.DefaultSplitBrainResolver,
                // The resolver counts the broker role on every member (the node's default: its Role; the lighthouse's: actorpubsub).
                DecidedBy: Value(env, a.App.Setting("SplitBrainRole")) ?? (a.App == Node ? Value(env, Node.Setting("Role")) ?? NodeSettings.DefaultRole : LighthouseSettings.DefaultSplitBrainRole),
                BrokerRole: a.App == Node ? Value(env, Node.Setting("Role")) ?? NodeSettings.DefaultRole : null);
        }).ToList();
        Assert.True(members.Select(m => m.System).Distinct().Count() == 1, string.Join("; ", members));
        Assert.True(members.Select(m => m.Resolver).Distinct().Count() == 1, string.Join("; ", members));
        Assert.Equal("keep-majority", members[0].Resolver);
        var brokerRole = Assert.Single(members.Select(m => m.BrokerRole).OfType<string>().Distinct());
        Assert.True(members.All(m => m.DecidedBy == brokerRole), $"every member must decide by the broker role {brokerRole}: {string.Join("; ", members)}");
    }

    [Fact]
    public void Pods_should_have_a_disruption_budget_a_least_privilege_service_account_lifecycle_and_resources()
    {
        // Service account: no token, a Role that grants nothing, bound to it.
        var account = Assert.Single(manifests.OfKind("ServiceAccount"));
        Assert.Equal("false", account.Str("automountServiceAccountToken"));
        var role = Assert.Single(manifests.OfKind("Role"));
        Assert.Empty(role.SeqOrEmpty("rules"));
        var binding = Assert.Single(manifests.OfKind("RoleBinding"));
        Assert.Equal(role.Name(), binding.Map("roleRef").Str("name"));
        Assert.Contains(binding.Seq("subjects").Cast<YamlMappingNode>(), s => s.Str("kind") == "ServiceAccount" && s.Str("name") == account.Name());

        foreach (var workload in manifests.OfKind("StatefulSet"))
        {
            var pod = workload.Map("spec").Map("template").Map("spec");
            Assert.Equal(account.Name(), pod.Str("serviceAccountName"));
            Assert.Equal("false", pod.Str("automountServiceAccountToken"));
            foreach (var container in pod.Seq("containers").Cast<YamlMappingNode>())
            {
                var resources = container.Map("resources");
                foreach (var bound in new[] { "requests", "limits" })
                foreach (var resource in new[] { "cpu", "memory" })
                    Assert.True(resources.MapOrNull(bound)?.Str(resource) is { Length: > 0 }, $"{workload.Name()}/{container.Str("name")} has no {bound}.{resource}.");
            }
        }

        foreach (var (app, workload, container) in AppContainers())
        {
            // A disruption budget of one pod at a time, over exactly this workload's pods.
            var labels = workload.Map("spec").Map("template").Map("metadata").MapOrNull("labels").Labels();
            var budget = Assert.Single(manifests.OfKind("PodDisruptionBudget"), b => Matches(b.Map("spec").Map("selector").MapOrNull("matchLabels").Labels(), labels));
            Assert.Equal("1", budget.Map("spec").Str("maxUnavailable"));

            // Time to leave gracefully (and, on a broker node, hand its shards off), after a preStop hook.
            Assert.NotNull(container.MapOrNull("lifecycle")?.MapOrNull("preStop"));
            var grace = workload.Map("spec").Map("template").Map("spec").Int("terminationGracePeriodSeconds");
            Assert.True(grace >= (app == Node ? 60 : 30), $"{workload.Name()}: terminationGracePeriodSeconds {grace} is too short for a graceful leave.");
        }
    }

    private IEnumerable<(App App, YamlMappingNode Workload, YamlMappingNode Container)> AppContainers()
    {
        foreach (var (workload, container) in manifests.Containers())
        {
            var image = container.Str("image")!;
            var name = image.Split('/')[^1].Split(':')[0].Split('@')[0];
            if (name == Node.Image) yield return (Node, workload, container);
            else if (name == Lighthouse.Image) yield return (Lighthouse, workload, container);
        }
    }

    /// <summary>The value of the first of <paramref name="names"/> that is set (the program's precedence order).</summary>
    private static string? Value(Dictionary<string, RenderedManifests.EnvValue> env, params string[] names) =>
        names.Select(n => env.GetValueOrDefault(n)?.Value).FirstOrDefault(v => v is not null);

    private static bool Matches(Dictionary<string, string> selector, Dictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(kv => labels.GetValueOrDefault(kv.Key) == kv.Value);
}
