using Google.Protobuf;
using Google.Protobuf.Reflection;
using FieldType = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Type;
using Label = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Label;

namespace ActorPubSub.Tests.Catalog;

/// <summary>
/// Protocol Buffers descriptors built in code (what <c>protoc --descriptor_set_out</c> writes, without protoc): the
/// tests' <c>shop.v1.Order</c> with a nested <c>shop.v1.Line</c>, and variants of it.
/// </summary>
internal static class ProtoDescriptors
{
    public const string Order = "shop.v1.Order";

    public static FieldDescriptorProto Field(string name, int number, FieldType type, Label label = Label.Optional, string? typeName = null)
    {
        var field = new FieldDescriptorProto { Name = name, Number = number, Type = type, Label = label, JsonName = name };
        if (typeName is not null) field.TypeName = typeName;
        return field;
    }

    public static DescriptorProto Line() => new()
    {
        Name = "Line",
        Field = { Field("sku", 1, FieldType.String), Field("qty", 2, FieldType.Int32) },
    };

    /// <summary><c>message Order { int32 id = 1; string name = 2; repeated Line lines = 3; repeated int32 codes = 4; }</c></summary>
    public static DescriptorProto OrderV1() => new()
    {
        Name = "Order",
        Field =
        {
            Field("id", 1, FieldType.Int32),
            Field("name", 2, FieldType.String),
            Field("lines", 3, FieldType.Message, Label.Repeated, ".shop.v1.Line"),
            Field("codes", 4, FieldType.Int32, Label.Repeated),
        },
    };

    public static FileDescriptorProto ProtoFile(string syntax, params DescriptorProto[] messages)
    {
        var file = new FileDescriptorProto { Name = "shop/v1/order.proto", Package = "shop.v1", MessageType = { messages } };
        if (syntax != "proto2") file.Syntax = syntax;
        return file;
    }

    public static byte[] Set(FileDescriptorProto file) => new FileDescriptorSet { File = { file } }.ToByteArray();

    public static string Base64(FileDescriptorProto file) => Convert.ToBase64String(Set(file));

    public static MessageDescriptor Load(FileDescriptorProto file, string type = Order) =>
        ActorPubSub.Catalog.ProtobufSchema.Load(Base64(file), type);

    /// <summary>Wire bytes written field by field (so a test can also write what no generated class would).</summary>
    public static byte[] Write(Action<CodedOutputStream> write)
    {
        using var memory = new MemoryStream();
        var output = new CodedOutputStream(memory);
        write(output);
        output.Flush();
        return memory.ToArray();
    }

    public static byte[] LineBytes(string sku, int qty) => Write(o =>
    {
        o.WriteTag(1, WireFormat.WireType.LengthDelimited);
        o.WriteString(sku);
        o.WriteTag(2, WireFormat.WireType.Varint);
        o.WriteInt32(qty);
    });

    /// <summary>A valid <c>Order</c>: id 7, name "ada", two lines, packed codes.</summary>
    public static byte[] ValidOrder() => Write(o =>
    {
        o.WriteTag(1, WireFormat.WireType.Varint);
        o.WriteInt32(7);
        o.WriteTag(2, WireFormat.WireType.LengthDelimited);
        o.WriteString("ada");
        foreach (var line in new[] { LineBytes("a", 1), LineBytes("b", 2) })
        {
            o.WriteTag(3, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(line));
        }
        o.WriteTag(4, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(Write(p => { p.WriteInt32(1); p.WriteInt32(300); })));
    });
}
