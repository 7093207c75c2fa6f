using Akka.Actor;
using ActorPubSub.Catalog;
using ActorPubSub.Hosting;
using ActorPubSub.Messages;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using static ActorPubSub.Tests.Catalog.ProtoDescriptors;
using FieldType = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Type;

namespace ActorPubSub.Tests.Catalog;

/// <summary>
/// Protobuf contracts on a real node (SQLite journal): a descriptor set registers, enforce lets valid wire bytes and
/// typed messages through and refuses others (in the client, and at the topic for a publish no client checked), a
/// breaking version is refused naming the field and the rule, and the contract survives the catalogue's serializer.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ProtobufCatalogSpec : IDisposable
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Enforce_must_check_wire_bytes_against_the_registered_message_type_and_refuse_breaking_versions()
    {
        await using var node = await PubSubNode.StartAsync(new PubSubOptions { SqliteFile = _db.File });
        var client = node.Client;
        var registered = await client.RegisterProtobufSchemaAsync("shop-orders", Set(ProtoFile("proto3", OrderV1(), Line())), Order,
            CompatibilityMode.Backward, ValidationMode.Enforce);

        var valid = await client.PublishAsync("shop-orders", ValidOrder());
        var unknown = await Assert.ThrowsAsync<PubSubRejectedException>(() =>
            client.PublishAsync("shop-orders", Write(o => { o.WriteTag(9, WireFormat.WireType.Varint); o.WriteInt32(1); })));
        var text = await Assert.ThrowsAsync<PubSubRejectedException>(() => client.PublishAsync("shop-orders", """{"id":1}"""));
        // a publish no client checked (no schema-version header): checked at the topic
        var atTopic = await node.Region.Ask<object>(new Publish("shop-orders", Bytes(node.System, Write(o =>
            {
                o.WriteTag(1, WireFormat.WireType.LengthDelimited);
                o.WriteString("seven");
            }))), AskTimeout);
        var breaking = await Assert.ThrowsAsync<PubSubRejectedException>(() => client.RegisterProtobufSchemaAsync("shop-orders",
            Set(ProtoFile("proto3", Changed(o => o.Field[0].Type = FieldType.String), Line())), Order));
        var toJson = await Assert.ThrowsAsync<PubSubRejectedException>(() => client.RegisterSchemaAsync("shop-orders", """{"type":"object"}"""));
        var next = await client.RegisterProtobufSchemaAsync("shop-orders",
            Set(ProtoFile("proto3", Changed(o => o.Field.Add(Field("note", 5, FieldType.String))), Line())), Order);
        var contract = await client.GetContractAsync("shop-orders");

        Assert.Equal(1, registered.Version);
        Assert.Equal(1, valid.Sequence);
        Assert.Equal(RejectionCode.ContractViolation, unknown.Code);
        Assert.Contains("field number 9", unknown.Message);
        Assert.Contains("the payload is text", text.Message);
        var rejected = Assert.IsType<PublishRejected>(atTopic);
        Assert.Equal(RejectionCode.ContractViolation, rejected.Code);
        Assert.Contains("checked at the topic", rejected.Reason);
        Assert.Contains("id: arrived with wire type length-delimited", rejected.Reason);
        Assert.Equal(RejectionCode.IncompatibleSchema, breaking.Code);
        Assert.Contains("field-type-changed", breaking.Message);
        Assert.Contains("'id'", breaking.Message);
        Assert.Contains("format-changed", toJson.Message);
        Assert.Equal(2, next.Version);
        Assert.Equal(1, (await client.GetTopicInfoAsync("shop-orders")).LastSequence);
        Assert.Equal((SchemaFormat.Protobuf, Order), (contract!.Current!.Format, contract.Current.MessageType));
    }

    [Fact]
    public async Task Typed_messages_must_pass_as_their_registered_type_and_be_checked_at_the_topic_by_their_bytes()
    {
        await using var node = await PubSubNode.StartAsync(new PubSubOptions { SqliteFile = _db.File });
        var client = node.Client;
        await client.RegisterProtobufSchemaAsync<Int32Value>("counts", validation: ValidationMode.Enforce);

        var ok = await client.PublishAsync("counts", new Int32Value { Value = 3 });
        var other = await Assert.ThrowsAsync<PubSubRejectedException>(() => client.PublishAsync("counts", new Int64Value { Value = 3 }));
        // a Google.Protobuf message the client did not check, whose bytes are a Timestamp's (field 2 is not in Int32Value)
        var timestamp = new Timestamp { Seconds = 1, Nanos = 2 };
        var serializer = node.System.Serialization.FindSerializerFor(timestamp);
        var notChecked = await node.Region.Ask<object>(new Publish("counts",
            new Payload(serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, timestamp), serializer.ToBinary(timestamp))), AskTimeout);

        Assert.Equal(1, ok.Sequence);
        Assert.Contains("is a google.protobuf.Int64Value", other.Message);
        Assert.Equal(timestamp.ToByteArray(), serializer.ToBinary(timestamp));   // the wire bytes as they are: what the topic walks
        var rejected = Assert.IsType<PublishRejected>(notChecked);
        Assert.Contains("field number 2 is not in google.protobuf.Int32Value", rejected.Reason);
    }

    [Fact]
    public async Task Protobuf_versions_must_survive_the_catalogue_serializer()
    {
        var system = ActorSystem.Create("protobuf-serializer-spec");
        try
        {
            var serializer = new CatalogSerializer((ExtendedActorSystem)system);
            var version = new SchemaVersion(1, 4, Base64(ProtoFile("proto3", OrderV1(), Line())), new DateTime(2026, 12, 4, 0, 0, 0, DateTimeKind.Utc),
                SchemaFormat.Protobuf, Order);
            var changed = new ContractChanged(TopicContract.Empty("t") with { Versions = [version] });
            var request = new RegisterSchema("t", version.Schema, Format: SchemaFormat.Protobuf, MessageType: Order);

            var back = (ContractChanged)serializer.FromBinary(serializer.ToBinary(changed), serializer.Manifest(changed));
            var requestBack = (RegisterSchema)serializer.FromBinary(serializer.ToBinary(request), serializer.Manifest(request));
            // an event written before formats existed reads as JSON Schema
            var old = (ContractChanged)serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(
                """{"contract":{"topic":"t","tags":[],"compatibility":"backward","validation":"off","versions":[{"version":1,"id":1,"schema":"{}","registeredAt":"2026-12-04T00:00:00Z"}]}}"""), "E1");

            Assert.Equal(version, back.Contract.Versions.Single());
            Assert.Equal(request, requestBack);
            Assert.Equal((SchemaFormat.Json, (string?)null), (old.Contract.Versions[0].Format, old.Contract.Versions[0].MessageType));
        }
        finally
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    private static Google.Protobuf.Reflection.DescriptorProto Changed(Action<Google.Protobuf.Reflection.DescriptorProto> change)
    {
        var order = OrderV1();
        change(order);
        return order;
    }

    private static Payload Bytes(ActorSystem system, byte[] bytes)
    {
        var serializer = system.Serialization.FindSerializerFor(bytes);
        return new Payload(serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, bytes), serializer.ToBinary(bytes));
    }
}
