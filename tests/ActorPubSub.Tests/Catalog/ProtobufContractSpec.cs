using ActorPubSub.Catalog;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using static ActorPubSub.Tests.Catalog.ProtoDescriptors;
using FieldType = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Type;
using Label = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Label;

namespace ActorPubSub.Tests.Catalog;

/// <summary>
/// Protobuf contracts without an ActorSystem: the descriptor set is read (and refused with a reason), payload bytes are
/// walked against the message type (unknown numbers, wrong wire types, missing required fields, malformed bytes, named
/// by field path), and a new version is checked by the Confluent-style rules, one row per (change, mode).
/// </summary>
[Trait("Category", "Unit")]
public sealed class ProtobufContractSpec
{
    private static readonly MessageDescriptor Order = Load(ProtoFile("proto3", OrderV1(), Line()));

    [Fact]
    public void Descriptor_set_must_be_refused_with_what_is_wrong()
    {
        Assert.Contains("not base64", ProtobufSchema.Validate("%%%", ProtoDescriptors.Order));
        Assert.Contains("no FileDescriptorSet", ProtobufSchema.Validate(Convert.ToBase64String([0xFF, 0xFF, 0xFF]), ProtoDescriptors.Order));
        Assert.Contains("no message type 'shop.v1.Nope'", ProtobufSchema.Validate(Base64(ProtoFile("proto3", OrderV1(), Line())), "shop.v1.Nope"));
        Assert.Contains("needs the full name", ProtobufSchema.Validate(Base64(ProtoFile("proto3", OrderV1(), Line())), null));
        var importing = ProtoFile("proto3", OrderV1(), Line());
        importing.Dependency.Add("shop/v1/money.proto");
        Assert.Contains("imports 'shop/v1/money.proto'", ProtobufSchema.Validate(Base64(importing), ProtoDescriptors.Order));
        Assert.Null(ProtobufSchema.Validate(Base64(ProtoFile("proto3", OrderV1(), Line())), ".shop.v1.Order"));
    }

    public static TheoryData<string, byte[], string?> Payloads => new()
    {
        { "a valid order (nested lines, packed codes)", ValidOrder(), null },
        { "no fields at all (proto3: every field optional)", [], null },
        { "an unknown field number", Write(o => { o.WriteTag(9, WireFormat.WireType.Varint); o.WriteInt32(1); }), "/: field number 9 is not in shop.v1.Order" },
        { "a wrong wire type", Write(o => { o.WriteTag(1, WireFormat.WireType.LengthDelimited); o.WriteString("x"); }), "id: arrived with wire type length-delimited (2)" },
        { "a wrong wire type in a nested message", Write(o =>
            {
                o.WriteTag(3, WireFormat.WireType.LengthDelimited);
                o.WriteBytes(ByteString.CopyFrom(LineBytes("a", 1)));
                o.WriteTag(3, WireFormat.WireType.LengthDelimited);
                o.WriteBytes(ByteString.CopyFrom(Write(l => { l.WriteTag(2, WireFormat.WireType.Fixed32); l.WriteFixed32(5); })));
            }), "lines[1].qty: arrived with wire type 32-bit (5)" },
        { "a truncated varint", [0x08, 0x80], "/: the payload is not shop.v1.Order's wire format" },
        { "a length past the end", [0x12, 0x10, 0x61], "/: the payload is not shop.v1.Order's wire format" },
        { "a string that is not UTF-8", Write(o => { o.WriteTag(2, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(0xC3, 0x28)); }), "name: is not UTF-8" },
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Wire_walk_must_name_the_first_failing_field(string payload, byte[] bytes, string? failure)
    {
        var result = ProtobufWire.Check(Order, bytes);

        if (failure is null) Assert.True(result is null, $"{payload}: {result}");
        else Assert.True(result?.StartsWith(failure, StringComparison.Ordinal) == true, $"{payload}: expected '{failure}...', got '{result}'");
    }

    [Fact]
    public void Wire_walk_must_refuse_a_missing_proto2_required_field()
    {
        var order = OrderV1();
        order.Field[0].Label = Label.Required;
        var proto2 = Load(ProtoFile("proto2", order, Line()));

        Assert.Null(ProtobufWire.Check(proto2, ValidOrder()));
        Assert.StartsWith("id: required field id = 1 of shop.v1.Order is missing", ProtobufWire.Check(proto2, Write(o => { o.WriteTag(2, WireFormat.WireType.LengthDelimited); o.WriteString("x"); })));
    }

    [Fact]
    public void Typed_messages_must_be_of_the_contract_type_and_text_is_refused()
    {
        var int32 = ProtobufSchema.Load(ProtobufSchema.DescriptorSetOf(Int32Value.Descriptor), "google.protobuf.Int32Value");

        Assert.Null(ProtobufWire.Check(int32, (object)new Int32Value { Value = 5 }));
        Assert.Contains("is a google.protobuf.Int64Value", ProtobufWire.Check(int32, (object)new Int64Value { Value = 5 }));
        Assert.Contains("the payload is text", ProtobufWire.Check(int32, (object)"{}"));
    }

    private static readonly Dictionary<string, Func<FileDescriptorProto>> Changes = new()
    {
        ["add an optional field"] = () => With(o => o.Field.Add(Field("note", 5, FieldType.String))),
        ["rename a field (same number)"] = () => With(o => o.Field[1].Name = "title"),
        ["widen int32 to int64"] = () => With(o => o.Field[0].Type = FieldType.Int64),
        ["change a field's type"] = () => With(o => o.Field[0].Type = FieldType.String),
        ["change a field's number"] = () => With(o => o.Field[1].Number = 6),
        ["remove a field, number not reserved"] = () => With(o => o.Field.RemoveAt(1)),
        ["remove a field, number reserved"] = () => With(o =>
        {
            o.Field.RemoveAt(1);
            o.ReservedRange.Add(new DescriptorProto.Types.ReservedRange { Start = 2, End = 3 });
        }),
        ["scalar to message"] = () => With(o => { o.Field[1].Type = FieldType.Message; o.Field[1].TypeName = ".shop.v1.Line"; }),
        ["singular to repeated"] = () => With(o => o.Field[1].Label = Label.Repeated),
        ["add a required field (proto2)"] = () => With(o => o.Field.Add(Field("currency", 5, FieldType.String, Label.Required)), "proto2"),
    };

    /// <summary>Order v1, changed by <paramref name="change"/>.</summary>
    private static FileDescriptorProto With(Action<DescriptorProto> change, string syntax = "proto3")
    {
        var order = OrderV1();
        change(order);
        return ProtoFile(syntax, order, Line());
    }

    // null = compatible; otherwise the rule of the first problem and the field it names. The rules are symmetric, so
    // backward, forward and full agree; none takes everything.
    public static TheoryData<string, CompatibilityMode, string?, string?> Table()
    {
        var expected = new Dictionary<string, (string?, string?)>
        {
            ["add an optional field"] = (null, null),
            ["rename a field (same number)"] = (null, null),
            ["widen int32 to int64"] = (null, null),
            ["change a field's type"] = ("field-type-changed", "id"),
            ["change a field's number"] = ("field-number-changed", "name"),
            ["remove a field, number not reserved"] = ("field-removed-unreserved", "name"),
            ["remove a field, number reserved"] = (null, null),
            ["scalar to message"] = ("field-kind-changed", "name"),
            ["singular to repeated"] = ("field-label-changed", "name"),
            ["add a required field (proto2)"] = ("required-field-added", "currency"),
        };
        var data = new TheoryData<string, CompatibilityMode, string?, string?>();
        foreach (var (change, (rule, field)) in expected)
        {
            foreach (var mode in new[] { CompatibilityMode.Backward, CompatibilityMode.Forward, CompatibilityMode.Full, CompatibilityMode.FullTransitive })
                data.Add(change, mode, rule, field);
            data.Add(change, CompatibilityMode.None, null, null);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Compatibility_must_follow_the_rules(string change, CompatibilityMode mode, string? rule, string? field)
    {
        var v1 = change.EndsWith("(proto2)", StringComparison.Ordinal) ? Load(ProtoFile("proto2", OrderV1(), Line())) : Order;
        var problems = ProtobufCompatibility.Check(mode, [v1], Load(Changes[change]()));

        if (rule is null) Assert.True(problems.Count == 0, $"{change} ({mode}): {string.Join("; ", problems.Select(p => p.Reason))}");
        else
        {
            Assert.NotEmpty(problems);
            Assert.Equal((field, rule), (problems[0].Field, problems[0].Rule));
        }
    }

    [Fact]
    public void Compatibility_must_refuse_another_message_type_and_a_reserved_number_taken_again()
    {
        var reserved = With(o => { o.Field.RemoveAt(1); o.ReservedRange.Add(new DescriptorProto.Types.ReservedRange { Start = 2, End = 3 }); });
        var reused = With(o => { o.Field.RemoveAt(1); o.Field.Add(Field("title", 2, FieldType.String)); });

        var renamed = ProtobufCompatibility.Check(CompatibilityMode.Backward, [Order], Load(ProtoFile("proto3", OrderV1(), Line()), "shop.v1.Line"));
        var taken = ProtobufCompatibility.Check(CompatibilityMode.Backward, [Load(reserved)], Load(reused));

        Assert.Equal("message-type-changed", renamed[0].Rule);
        Assert.Equal(("title", "reserved-number-used"), (taken[0].Field, taken[0].Rule));
    }
}
