using System.Globalization;
using Akka.Configuration;
using ActorPubSub.Hosting;
using ActorPubSub.Memory;
using ActorPubSub.Tests.Deployment;

namespace ActorPubSub.Tests.Memory;

/// <summary>
/// The broker's container memory limit in the Kubernetes base and the node's memory budget agree: with the settings
/// the manifests give the node, a container with that limit (as a fake cgroup v2 file) gets a budget that holds the
/// minimal window and leaves most of the limit to the runtime.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MemoryBudgetManifestSpec(RenderedManifests manifests) : IClassFixture<RenderedManifests>, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "actorpubsub-tests", "cgroup-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Broker_memory_limit_should_give_a_budget_above_the_minimal_window_and_below_half_the_limit()
    {
        // arrange: the broker container, its memory limit and the budget settings it is given
        var (_, broker) = Assert.Single(manifests.Containers(), c => c.Container.Str("image")!.Contains("actorpubsub-node", StringComparison.Ordinal));
        var limit = Quantity(broker.Map("resources").Map("limits").Str("memory")!);
        var env = manifests.Environment(broker);
        var options = new PubSubOptions
        {
            MemoryBudget = env.GetValueOrDefault("ACTORPUBSUB_Node__MemoryBudget")?.Value,
            MemoryBudgetFraction = env.GetValueOrDefault("ACTORPUBSUB_Node__MemoryBudgetFraction")?.Value is { } f
                ? double.Parse(f, CultureInfo.InvariantCulture) : null,
        };
        var cgroup = Path.Combine(_root, ContainerMemory.CgroupV2File);
        Directory.CreateDirectory(Path.GetDirectoryName(cgroup)!);
        File.WriteAllText(cgroup, limit.ToString(CultureInfo.InvariantCulture));
        var section = options.ToConfig().GetConfig("actorpubsub");

        // act
        var budget = MemoryBudgetSettings.Create(section, new ContainerMemory(_root), availableMemory: 0);

        // assert
        var (minimal, explanation) = MemoryBudgetSettings.MinimalWindow(section);
        budget.Validate(minimal, explanation);
        Assert.True(budget.Bytes <= limit / 2, $"budget {budget} leaves too little of the container limit {limit} bytes to the runtime");
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    // Kubernetes quantities as the manifests write memory: 512Mi, 1Gi, 1G, 1000000
    private static long Quantity(string text)
    {
        (string Suffix, long Factor)[] units = [("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("Ti", 1L << 40), ("k", 1000), ("M", 1000_000), ("G", 1000_000_000)];
        foreach (var (suffix, factor) in units)
            if (text.EndsWith(suffix, StringComparison.Ordinal))
                return long.Parse(text[..^suffix.Length], CultureInfo.InvariantCulture) * factor;
        return long.Parse(text, CultureInfo.InvariantCulture);
    }
}
