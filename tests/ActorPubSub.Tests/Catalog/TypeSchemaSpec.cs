using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Hosting;
using Akka.Serialization;
using ActorPubSub.Catalog;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;

namespace ActorPubSub.Tests.Catalog;

/// <summary>
/// A schema made from a C# type at registration (<c>RegisterSchemaAsync&lt;T&gt;</c>): it describes the type's
/// System.Text.Json form, so a typed publish of the type passes enforce, and a change of the type is checked like any
/// other version (a new required member under backward is refused, naming it).
/// </summary>
[Trait("Category", "Integration")]
public sealed class TypeSchemaSpec : IDisposable
{
    public enum Priority { Low, High }

    public sealed record Line(string Sku, int Quantity);

    public sealed record Address(string City, string? Zip);

    public sealed record OrderV1
    {
        public required int Id { get; init; }
        public required string Customer { get; init; }
        public string? Note { get; init; }
        public decimal? Discount { get; init; }
        public Priority Priority { get; init; }
        public Address? ShipTo { get; init; }
        public List<Line> Lines { get; init; } = [];
    }

    /// <summary>V1 with a new required member: not readable from V1's messages (backward).</summary>
    public sealed record OrderV2Breaking
    {
        public required int Id { get; init; }
        public required string Customer { get; init; }
        public required string Currency { get; init; }
        public string? Note { get; init; }
        public decimal? Discount { get; init; }
        public Priority Priority { get; init; }
        public Address? ShipTo { get; init; }
        public List<Line> Lines { get; init; } = [];
    }

    /// <summary>V1 with a new optional member: compatible.</summary>
    public sealed record OrderV2
    {
        public required int Id { get; init; }
        public required string Customer { get; init; }
        public string? Note { get; init; }
        public decimal? Discount { get; init; }
        public Priority Priority { get; init; }
        public Address? ShipTo { get; init; }
        public List<Line> Lines { get; init; } = [];
        public DateTime? PlacedAt { get; init; }
    }

    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Schema_of_a_record_must_describe_its_required_optional_nullable_enum_nested_and_list_members()
    {
        var schema = (JsonObject)JsonNode.Parse(PayloadJson.SchemaFor(typeof(OrderV1)))!;
        var properties = (JsonObject)schema["properties"]!;

        Assert.Null(SchemaDocument.Validate(schema.ToJsonString()));
        Assert.Equal(new[] { "Customer", "Id" }, schema["required"]!.AsArray().Select(n => n!.GetValue<string>()).Order().ToArray());
        Assert.Equal("integer", properties["Id"]!["type"]!.GetValue<string>());
        Assert.Contains("null", properties["Note"]!["type"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Contains("integer", properties["Priority"]!.ToJsonString());          // enums as numbers, as the default options write them
        Assert.NotNull(properties["ShipTo"]!["properties"]!["City"]);
        Assert.NotNull(properties["Lines"]!["items"]!["properties"]!["Quantity"]);
    }

    [Fact]
    public void Schema_must_refuse_a_type_without_an_object_form()
    {
        var error = Assert.Throws<ArgumentException>(() => PayloadJson.SchemaFor(typeof(object)));

        Assert.Contains("not an object", error.Message);
    }

    [Fact]
    public async Task Typed_publish_must_pass_the_schema_made_from_its_type_and_a_breaking_change_must_be_refused_naming_the_field()
    {
        // The payload's own serializer is any the application binds (ActorPubSub takes no fallback); the contract check
        // reads the typed message through System.Text.Json whatever carries it.
        await using var node = await PubSubNode.StartAsync(new PubSubOptions { SqliteFile = _db.File },
            builder => builder.WithCustomSerializer("orders", [typeof(OrderV1), typeof(OrderV2)], system => new OrderSerializer(system)));
        var client = node.Client;
        var registered = await client.RegisterSchemaAsync<OrderV1>("typed-orders", CompatibilityMode.Backward, ValidationMode.Enforce);
        var order = new OrderV1
        {
            Id = 7, Customer = "ada", Discount = 1.5m, Priority = Priority.High,
            ShipTo = new Address("Zurich", null), Lines = [new Line("sku-1", 2), new Line("sku-2", 1)],
        };

        var receipt = await client.PublishAsync("typed-orders", order);
        var minimal = await client.PublishAsync("typed-orders", new OrderV1 { Id = 8, Customer = "bob" });
        var wrong = await Assert.ThrowsAsync<PubSubRejectedException>(() => client.PublishAsync("typed-orders", """{"Id":"seven","Customer":"x"}"""));
        var breaking = await Assert.ThrowsAsync<PubSubRejectedException>(() => client.RegisterSchemaAsync<OrderV2Breaking>("typed-orders"));
        var next = await client.RegisterSchemaAsync<OrderV2>("typed-orders");
        var again = await client.RegisterSchemaAsync<OrderV2>("typed-orders");

        Assert.Equal(1, registered.Version);
        Assert.Equal((1L, 2L), (receipt.Sequence, minimal.Sequence));
        Assert.Equal(RejectionCode.ContractViolation, wrong.Code);
        Assert.Contains("/Id", wrong.Message);
        Assert.Equal(RejectionCode.IncompatibleSchema, breaking.Code);
        Assert.Contains("'Currency'", breaking.Message);
        Assert.Contains("required-field-added", breaking.Message);
        Assert.Equal((2, false), (next.Version, next.Unchanged));
        Assert.True(again.Unchanged);
        Assert.Equal(3L, (await client.PublishAsync("typed-orders", new OrderV2 { Id = 9, Customer = "cy", PlacedAt = DateTime.UtcNow })).Sequence);
    }

    /// <summary>The orders' serializer, chosen by manifest among a fixed set of types.</summary>
    private sealed class OrderSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
    {
        public override int Identifier => 9461;

        public override string Manifest(object o) => o is OrderV1 ? "o1" : "o2";

        public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType());

        public override object FromBinary(byte[] bytes, string manifest) => manifest == "o1"
            ? JsonSerializer.Deserialize<OrderV1>(bytes)!
            : JsonSerializer.Deserialize<OrderV2>(bytes)!;
    }
}
