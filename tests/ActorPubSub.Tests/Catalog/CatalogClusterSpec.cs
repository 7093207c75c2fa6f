using ActorPubSub.Catalog;
using ActorPubSub.Client;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;

namespace ActorPubSub.Tests.Catalog;

/// <summary>
/// The catalogue in a 3-node cluster with a member client: a registration made on one node reaches every member's
/// cache (a client member enforces it without asking), and the catalogue keeps its entries when the node running the
/// singleton leaves.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CatalogClusterSpec
{
    private const string V1 = """{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}""";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Catalogue_must_reach_every_member_and_survive_the_loss_of_its_node()
    {
        await using var cluster = await PubSubCluster.StartAsync(3, clients: 1);
        var oldest = cluster.Nodes[0];   // the singleton runs on the oldest topic node
        await cluster.Nodes[1].Client.RegisterSchemaAsync("payments", V1, validation: ValidationMode.Enforce);
        await cluster.Nodes[1].Client.SetTopicInfoAsync("payments", owner: "team-payments");

        var client = cluster.Clients[0];
        await Eventually.HoldsAsync(() => ContractCache.Get(client.System).Find("payments")?.Version == 1,
            "the client member's cache has the contract", Deadline);
        var refused = await Assert.ThrowsAsync<PubSubRejectedException>(() => client.Client.PublishAsync("payments", """{"id":"x"}"""));
        Assert.Equal(RejectionCode.ContractViolation, refused.Code);

        await oldest.StopAsync();

        var survivor = cluster.Nodes[2];
        var contract = await Eventually.HoldsAsync(async () =>
            {
                try
                {
                    return await survivor.Client.GetContractAsync("payments");
                }
                catch (TimeoutException)
                {
                    return null;   // the singleton is moving
                }
            },
            c => c is not null, "the catalogue answers from another node", Deadline);
        Assert.Equal(("team-payments", 1), (contract!.Owner, contract.Versions.Length));
        var second = await survivor.Client.RegisterSchemaAsync("payments",
            """{"type":"object","properties":{"id":{"type":"integer"},"note":{"type":"string"}},"required":["id"]}""");
        Assert.Equal(2, second.Version);
    }
}
