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
    public async Task Show_list_and_export_must_carry_the_retention_the_topic_has_now()
    {
        var v1 = Path.Combine(_dir, "v1.json");
        await File.WriteAllTextAsync(v1, V1);
        Assert.Equal(ExitCodes.Ok, (await Pbm("catalog", "register", "kept", "--schema-file", v1)).ExitCode);
        await _node.Client.ConfigureTopicAsync("kept", new TopicRetention(TimeSpan.FromHours(2), 500));

        var show = await Pbm("catalog", "show", "kept", "--json");
        var list = await Pbm("catalog", "list", "--json");
        var export = await Pbm("catalog", "export", "--json");
        var text = await Pbm("catalog", "show", "kept");
        // changed on the topic afterwards: the catalogue reads it from the topic, so nothing is left behind
        await _node.Client.ConfigureTopicAsync("kept", new TopicRetention(TimeSpan.FromDays(1), 50));
        var after = await Pbm("catalog", "show", "kept", "--json");

        var retention = show.Json().GetProperty("retention");
        Assert.Equal(("02:00:00", 500), (retention.GetProperty("maxAge").GetString(), retention.GetProperty("maxMessages").GetInt32()));
        var listed = list.Json().GetProperty("topics").EnumerateArray().Single(t => t.GetProperty("topic").GetString() == "kept");
        Assert.Equal(500, listed.GetProperty("retention").GetProperty("maxMessages").GetInt32());
        var channel = export.Json().GetProperty("channels").GetProperty("kept");
        Assert.Equal(("PT2H", 500), (channel.GetProperty("x-retention").GetProperty("maxAge").GetString(),
            channel.GetProperty("x-retention").GetProperty("maxMessages").GetInt32()));
        Assert.Contains("acknowledged messages kept 02:00:00 / 500 messages", text.Out, StringComparison.Ordinal);
        var changed = after.Json().GetProperty("retention");
        Assert.Equal(("1.00:00:00", 50), (changed.GetProperty("maxAge").GetString(), changed.GetProperty("maxMessages").GetInt32()));
    }

    [Fact]
    public async Task Protobuf_descriptor_set_must_register_from_a_binary_file_and_refuse_text_publishes()
    {
        var set = Path.Combine(_dir, "order.pb");
        await File.WriteAllBytesAsync(set, ActorPubSub.Tests.Catalog.ProtoDescriptors.Set(
            ActorPubSub.Tests.Catalog.ProtoDescriptors.ProtoFile("proto3", ActorPubSub.Tests.Catalog.ProtoDescriptors.OrderV1(), ActorPubSub.Tests.Catalog.ProtoDescriptors.Line())));

        var noMessage = await Pbm("catalog", "register", "shop", "--proto-descriptor-set", set);
        var register = await Pbm("catalog", "register", "shop", "--proto-descriptor-set", set, "--message", "shop.v1.Order", "--validation", "enforce");
        var check = await Pbm("catalog", "check", "shop", "--proto-descriptor-set", set, "--message", "shop.v1.Order");
        var text = await Pbm("pubsub", "publish", "shop", """{"id":1}""");
        var show = await Pbm("catalog", "show", "shop", "--json");
        var export = await Pbm("catalog", "export", "--json");

        Assert.Equal(ExitCodes.Usage, noMessage.ExitCode);
        Assert.Contains("--message", noMessage.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, register.ExitCode);
        Assert.Equal(ExitCodes.Ok, check.ExitCode);
        Assert.Equal(ExitCodes.Failed, text.ExitCode);
        Assert.Contains("the payload is text", text.Error, StringComparison.Ordinal);
        var version = show.Json().GetProperty("versions")[0];
        Assert.Equal(("protobuf", "shop.v1.Order"), (version.GetProperty("format").GetString(), version.GetProperty("messageType").GetString()));
        var message = export.Json().GetProperty("components").GetProperty("messages").GetProperty("shop.v1");
        Assert.Equal("application/x-protobuf", message.GetProperty("contentType").GetString());
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
