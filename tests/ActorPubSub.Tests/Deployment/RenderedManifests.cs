using System.Text;
using YamlDotNet.RepresentationModel;

namespace ActorPubSub.Tests.Deployment;

/// <summary>
/// The output of <c>kubectl kustomize k8s</c>, rendered once for a test class, with the look-ups the consistency checks
/// need. kubectl must be installed (test.sh and .ci/run install it): without it every test fails, none is skipped.
/// </summary>
public sealed class RenderedManifests
{
    private readonly Lazy<IReadOnlyList<YamlMappingNode>> _documents;

    /// <summary>The base, as <c>kubectl apply -k k8s</c> applies it.</summary>
    public RenderedManifests() : this("k8s") { }

    private RenderedManifests(string folder) => _documents = new(() => Render(folder));

    /// <summary>The kustomization in <paramref name="folder"/> (relative to the repository), e.g. an overlay.</summary>
    public static RenderedManifests Of(string folder) => new(folder);

    public IReadOnlyList<YamlMappingNode> Documents => _documents.Value;

    public IEnumerable<YamlMappingNode> OfKind(string kind) => Documents.Where(d => d.Str("kind") == kind);

    public YamlMappingNode Get(string kind, string name) =>
        OfKind(kind).SingleOrDefault(d => d.Map("metadata").Str("name") == name)
        ?? throw new Xunit.Sdk.XunitException($"The manifests have no {kind} named {name}.");

    public YamlMappingNode? Find(string kind, string name) => OfKind(kind).SingleOrDefault(d => d.Map("metadata").Str("name") == name);

    /// <summary>Each container of each workload's pod template, with the workload.</summary>
    public IEnumerable<(YamlMappingNode Workload, YamlMappingNode Container)> Containers() =>
        from workload in OfKind("StatefulSet").Concat(OfKind("Deployment"))
        from container in workload.Map("spec").Map("template").Map("spec").Seq("containers").Cast<YamlMappingNode>()
        select (workload, container);

    /// <summary>The environment a container gets: envFrom ConfigMaps and Secrets first, then env (which wins).</summary>
    public Dictionary<string, EnvValue> Environment(YamlMappingNode container)
    {
        var env = new Dictionary<string, EnvValue>(StringComparer.Ordinal);
        foreach (var source in container.SeqOrEmpty("envFrom").Cast<YamlMappingNode>())
        {
            if (source.MapOrNull("configMapRef") is { } configMap)
                foreach (var (key, value) in Data(Get("ConfigMap", configMap.Str("name")!), decode: false)) env[key] = new EnvValue(value, null);
            if (source.MapOrNull("secretRef") is { } secret)
                foreach (var (key, value) in Data(Get("Secret", secret.Str("name")!), decode: true)) env[key] = new EnvValue(value, null);
        }
        foreach (var variable in container.SeqOrEmpty("env").Cast<YamlMappingNode>())
            env[variable.Str("name")!] = new EnvValue(variable.Str("value"), variable.MapOrNull("valueFrom"));
        return env;
    }

    /// <summary>The keys and values of a ConfigMap (<c>data</c>) or Secret (<c>data</c>, base64, or <c>stringData</c>).</summary>
    public static IEnumerable<(string Key, string Value)> Data(YamlMappingNode document, bool decode)
    {
        foreach (var (k, v) in document.MapOrNull("data")?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
        {
            var text = ((YamlScalarNode)v).Value ?? "";
            yield return (((YamlScalarNode)k).Value!, decode ? Encoding.UTF8.GetString(Convert.FromBase64String(text)) : text);
        }
        foreach (var (k, v) in document.MapOrNull("stringData")?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
            yield return (((YamlScalarNode)k).Value!, ((YamlScalarNode)v).Value ?? "");
    }

    private static List<YamlMappingNode> Render(string folder)
    {
        var k8s = Path.Combine(ServiceProcess.RepositoryRoot, folder);
        var stdout = Command.Run(["kubectl", "kustomize", k8s], TimeSpan.FromSeconds(60),
            missing: "kubectl is not installed, so the Kubernetes manifests cannot be checked. Run the tests with ./test.sh " +
                     "(or .ci/run), which installs it, or install it yourself: apt-get install -y kubectl (or kubernetes-client).");
        var yaml = new YamlStream();
        yaml.Load(new StringReader(stdout));
        var documents = yaml.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
        if (documents.Count == 0) throw new Xunit.Sdk.XunitException($"kubectl kustomize {k8s} rendered nothing.");
        return documents;
    }

    /// <summary>An environment variable: a literal value, or where it comes from (valueFrom).</summary>
    public sealed record EnvValue(string? Value, YamlMappingNode? From);
}

/// <summary>Navigation in YamlDotNet's representation model; missing keys fail with the path.</summary>
public static class Yaml
{
    public static YamlNode? Node(this YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    public static string? Str(this YamlMappingNode map, string key) => (map.Node(key) as YamlScalarNode)?.Value;

    public static int Int(this YamlMappingNode map, string key) =>
        int.Parse(map.Str(key) ?? throw new Xunit.Sdk.XunitException($"'{key}' is missing in:\n{map}"), System.Globalization.CultureInfo.InvariantCulture);

    public static YamlMappingNode Map(this YamlMappingNode map, string key) =>
        map.MapOrNull(key) ?? throw new Xunit.Sdk.XunitException($"'{key}' is missing in:\n{map}");

    public static YamlMappingNode? MapOrNull(this YamlMappingNode map, string key) => map.Node(key) as YamlMappingNode;

    public static YamlSequenceNode Seq(this YamlMappingNode map, string key) =>
        map.Node(key) as YamlSequenceNode ?? throw new Xunit.Sdk.XunitException($"'{key}' is missing in:\n{map}");

    public static IEnumerable<YamlNode> SeqOrEmpty(this YamlMappingNode map, string key) =>
        map.Node(key) as YamlSequenceNode ?? Enumerable.Empty<YamlNode>();

    public static string Name(this YamlMappingNode document) => document.Map("metadata").Str("name")!;

    /// <summary>The labels of a selector's matchLabels (or of metadata.labels).</summary>
    public static Dictionary<string, string> Labels(this YamlMappingNode? map) =>
        (map?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>()).ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value ?? "");
}
