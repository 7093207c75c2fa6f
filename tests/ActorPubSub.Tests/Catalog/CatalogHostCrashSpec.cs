using Akka.Cluster;
using ActorPubSub.Catalog;
using ActorPubSub.Tests.Support;

namespace ActorPubSub.Tests.Catalog;

/// <summary>
/// The node running the catalogue singleton dies without leaving (its ActorSystem aborted: no leave, no hand-over):
/// the other members see it unreachable, the Split Brain Resolver (keep-majority, Akka's default timings) downs it, the
/// singleton starts on the next oldest node and recovers from the journal, and the catalogue answers with its contracts
/// intact, takes new versions and still enforces.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CatalogHostCrashSpec
{
    private const string V1 = """{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}""";
    private const string V2 = """{"type":"object","properties":{"id":{"type":"integer"},"note":{"type":"string"}},"required":["id"]}""";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Catalogue_must_answer_from_another_node_with_its_contracts_after_its_host_crashed()
    {
        await using var cluster = await PubSubCluster.StartAsync(3, configure: o => o.ExtraHocon = PubSubNode.AbruptTerminationHocon);
        var host = cluster.Nodes[0];   // the oldest topic node runs the singleton
        var survivor = cluster.Nodes[1];
        await survivor.Client.RegisterSchemaAsync("ledger", V1, CompatibilityMode.BackwardTransitive, ValidationMode.Enforce);
        await survivor.Client.SetTopicInfoAsync("ledger", owner: "team-ledger", description: "Postings", tags: ["finance"]);
        await cluster.Nodes[2].Client.RegisterSchemaAsync("audit", V1);
        var hostAddress = host.Address;

        await host.AbortAsync();

        // it did not leave: the others first see it unreachable, then (downed) gone
        await Eventually.HoldsAsync(() => Cluster.Get(survivor.System).State.Unreachable.Any(m => m.Address == hostAddress)
                                          || Cluster.Get(survivor.System).State.Members.All(m => m.Address != hostAddress),
            "the survivors notice the crashed node", Deadline);
        var contract = await Eventually.HoldsAsync(async () =>
            {
                try
                {
                    return await survivor.Client.GetContractAsync("ledger");
                }
                catch (TimeoutException)
                {
                    return null;   // the singleton has not started elsewhere yet
                }
            }, c => c is not null, "the catalogue answers from another node", Deadline);
        var all = await survivor.Client.ListContractsAsync();
        var next = await survivor.Client.RegisterSchemaAsync("ledger", V2);
        var refused = await Assert.ThrowsAsync<PubSubRejectedException>(() => cluster.Nodes[2].Client.PublishAsync("ledger", """{"id":"x"}"""));

        Assert.DoesNotContain(Cluster.Get(survivor.System).State.Members, m => m.Address == hostAddress && m.Status == MemberStatus.Up);
        Assert.Equal(("team-ledger", "Postings", CompatibilityMode.BackwardTransitive, ValidationMode.Enforce),
            (contract!.Owner, contract.Description, contract.Compatibility, contract.Validation));
        Assert.Equal(new[] { "finance" }, contract.Tags.ToArray());
        Assert.Equal(V1, contract.Current!.Schema);
        Assert.Equal(new[] { "audit", "ledger" }, all.Select(c => c.Topic).ToArray());
        Assert.Equal(2, next.Version);
        Assert.True(next.Contract.Versions[1].Id > all.Max(c => c.Versions.Max(v => v.Id)), "schema ids are not reused after the move");
        Assert.Equal(RejectionCode.ContractViolation, refused.Code);
        await Eventually.HoldsAsync(() => ContractCache.Get(cluster.Nodes[2].System).Find("ledger")?.Version == 2,
            "the other survivor's cache hears of version 2 from the moved catalogue", Deadline);
    }
}
