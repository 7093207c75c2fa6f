using ActorPubSub.Catalog;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Observability;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;

namespace ActorPubSub.Tests.Catalog;

/// <summary>
/// The catalogue on a real node (cluster singleton, SQLite journal): registration checks compatibility, enforce refuses
/// a failing payload and stores nothing, warn stores and counts it, and the catalogue survives a restart of the node.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CatalogSpec : IDisposable
{
    private const string V1 = """{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}},"required":["id"]}""";
    private const string V2 = """{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"},"email":{"type":"string"}},"required":["id"]}""";
    private const string Breaking = """{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}""";

    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Enforce_must_refuse_a_failing_payload_naming_its_path_and_store_nothing()
    {
        await using var node = await PubSubNode.StartAsync(new PubSubOptions { SqliteFile = _db.File });
        var client = node.Client;
        var registered = await client.RegisterSchemaAsync("orders", V1, CompatibilityMode.Backward, ValidationMode.Enforce);
        Assert.Equal(1, registered.Version);

        await client.PublishAsync("orders", """{"id":1,"name":"a"}""");
        var refused = await Assert.ThrowsAsync<PubSubRejectedException>(() => client.PublishAsync("orders", """{"id":"x"}"""));

        Assert.Equal(RejectionCode.ContractViolation, refused.Code);
        Assert.Contains("/id", refused.Message);
        var info = await client.GetTopicInfoAsync("orders");
        Assert.Equal(1, info.LastSequence);
    }

    [Fact]
    public async Task Warn_must_store_a_failing_payload_and_count_it()
    {
        using var meters = new MeterCollector("warned");
        await using var node = await PubSubNode.StartAsync(new PubSubOptions { SqliteFile = _db.File });
        var client = node.Client;
        await client.RegisterSchemaAsync("warned", V1, validation: ValidationMode.Warn);

        await client.PublishAsync("warned", """{"name":5}""");
        await client.PublishAsync("warned", """{"id":2}""");

        Assert.Equal(2, (await client.GetTopicInfoAsync("warned")).LastSequence);
        Assert.Equal(1, meters.Count(ContractMetrics.ViolationsName, "warned"));
    }

    [Fact]
    public async Task Registration_must_refuse_an_incompatible_version_naming_field_and_rule_and_dry_runs_must_store_nothing()
    {
        await using var node = await PubSubNode.StartAsync(new PubSubOptions { SqliteFile = _db.File });
        var client = node.Client;
        await client.RegisterSchemaAsync("users", V1);

        var refused = await Assert.ThrowsAsync<PubSubRejectedException>(() => client.RegisterSchemaAsync("users", Breaking));
        var dryRun = await client.RegisterSchemaAsync("users", V2, dryRun: true);
        var again = await client.RegisterSchemaAsync("users", V1);

        Assert.Equal(RejectionCode.IncompatibleSchema, refused.Code);
        Assert.Contains("'id'", refused.Message);
        Assert.Contains("type-changed", refused.Message);
        Assert.Equal((2, true), (dryRun.Version, dryRun.DryRun));
        Assert.True(again.Unchanged);
        Assert.Single((await client.GetContractAsync("users"))!.Versions);
    }

    [Fact]
    public async Task Catalogue_must_survive_a_restart_of_its_node()
    {
        var options = new PubSubOptions { SqliteFile = _db.File };
        await using (var first = await PubSubNode.StartAsync(options))
        {
            await first.Client.RegisterSchemaAsync("kept", V1, validation: ValidationMode.Enforce);
            await first.Client.RegisterSchemaAsync("kept", V2);
            await first.Client.SetTopicInfoAsync("kept", owner: "team-billing", description: "Invoices", tags: ["finance"]);
            await first.StopAsync();
        }

        await using var second = await PubSubNode.StartAsync(options);
        var contract = await second.Client.GetContractAsync("kept");

        Assert.NotNull(contract);
        Assert.Equal(("team-billing", "Invoices", ValidationMode.Enforce), (contract.Owner, contract.Description, contract.Validation));
        Assert.Equal(new[] { 1, 2 }, contract.Versions.Select(v => v.Version).ToArray());
        Assert.Equal(new[] { "finance" }, contract.Tags.ToArray());
        // the new node's cache learns the contract from the catalogue (no registration on this node): enforce holds
        await Eventually.HoldsAsync(() => ContractCache.Get(second.System).Find("kept")?.Version == 2, "the node's cache has version 2",
            TimeSpan.FromSeconds(30));
        var refused = await Assert.ThrowsAsync<PubSubRejectedException>(() => second.Client.PublishAsync("kept", """{"id":"x"}"""));
        Assert.Equal(RejectionCode.ContractViolation, refused.Code);
    }

    [Fact]
    public async Task Validation_must_be_refused_for_a_topic_without_a_schema()
    {
        await using var node = await PubSubNode.StartAsync(new PubSubOptions { SqliteFile = _db.File });

        var refused = await Assert.ThrowsAsync<PubSubRejectedException>(() => node.Client.SetTopicInfoAsync("bare", validation: ValidationMode.Enforce));

        Assert.Equal(RejectionCode.Invalid, refused.Code);
        Assert.Contains("needs a schema", refused.Message);
    }
}
