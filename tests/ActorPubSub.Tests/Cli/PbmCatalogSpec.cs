using System.Text.Json;
using ActorPubSub.Cli;
using ActorPubSub.Tests.Support;

namespace ActorPubSub.Tests.Cli;

/// <summary>
/// The catalog palette through pbm (in-process) against an in-process node: register from a schema file, publish a
/// valid and an invalid message, a dry-run check, and an AsyncAPI 3.0 export of the catalogue.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PbmCatalogSpec : IAsyncLifetime
{
    private const string V1 = """{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}},"required":["id"]}""";
    private const string Breaking = """{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}""";

    private readonly TempDatabase _db = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("pbm-catalog-").FullName;
    private AdminNode _node = null!;

    public async Task InitializeAsync() => _node = await AdminNode.StartAsync(_db.File);

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _db.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Round_trip_must_register_validate_publishes_check_and_export_AsyncAPI()
    {
        var v1 = Path.Combine(_dir, "v1.json");
        var breaking = Path.Combine(_dir, "breaking.json");
        await File.WriteAllTextAsync(v1, V1);
        await File.WriteAllTextAsync(breaking, Breaking);

        var register = await Pbm("catalog", "register", "orders", "--schema-file", v1, "--compat", "backward", "--validation", "enforce");
        var set = await Pbm("catalog", "set", "orders", "--owner", "team-orders", "--description", "Orders placed");
        var valid = await Pbm("pubsub", "publish", "orders", """{"id":1,"name":"a"}""");
        var invalid = await Pbm("pubsub", "publish", "orders", """{"id":"x"}""");
        var check = await Pbm("catalog", "check", "orders", "--schema-file", breaking);
        var list = await Pbm("catalog", "list");
        var export = await Pbm("catalog", "export", "--json");

        Assert.Equal(ExitCodes.Ok, register.ExitCode);
        Assert.Contains("Registered version 1 of topic orders", register.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, set.ExitCode);
        Assert.Equal(ExitCodes.Ok, valid.ExitCode);
        Assert.Equal(ExitCodes.Failed, invalid.ExitCode);
        Assert.Contains("/id", invalid.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, check.ExitCode);
        Assert.Contains("type-changed", check.Error, StringComparison.Ordinal);
        Assert.Contains(list.Rows(), r => r.Contains("orders") && r.Contains("team-orders") && r.Contains("enforce"));
        Assert.Equal(1, (await _node.Client.GetTopicInfoAsync("orders")).LastSequence);

        var document = export.Json();
        Assert.Equal("3.0.0", document.GetProperty("asyncapi").GetString());
        var channel = document.GetProperty("channels").GetProperty("orders");
        Assert.Equal("orders", channel.GetProperty("address").GetString());
        Assert.Equal("team-orders", channel.GetProperty("x-owner").GetString());
        var reference = channel.GetProperty("messages").GetProperty("orders.v1").GetProperty("$ref").GetString();
        Assert.Equal("#/components/messages/orders.v1", reference);
        var payload = document.GetProperty("components").GetProperty("messages").GetProperty("orders.v1").GetProperty("payload");
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(V1).RootElement, payload), payload.GetRawText());
        Assert.Equal("send", document.GetProperty("operations").GetProperty("send-orders").GetProperty("action").GetString());
    }

    [Fact]
    public async Task Register_must_say_when_the_schema_file_cannot_be_read()
    {
        var missing = await Pbm("catalog", "register", "orders", "--schema-file", Path.Combine(_dir, "nope.json"));

        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("cannot be read", missing.Error, StringComparison.Ordinal);
    }

    private Task<PbmRun.Result> Pbm(params string[] words) => PbmRun.RunAsync([_node.Target, .. words]);
}
