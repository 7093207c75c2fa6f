using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace ActorPubSub.Catalog;

/// <summary>
/// Checks payload bytes against a message type by walking the Protocol Buffers wire format (no generated code, no
/// message built): every field number must be one the type has, with the wire type its field type is written in; nested
/// messages are walked too; a proto2 <c>required</c> field must be present; proto3 strings must be UTF-8; anything that is
/// no wire format at all (a truncated varint, a length past the end) is refused. The first failure names the field by
/// its path (<c>lines[1].sku</c>).
/// </summary>
public static class ProtobufWire
{
    /// <summary>Nesting deeper than this is refused (as Google.Protobuf's own parser does).</summary>
    public const int MaxDepth = 100;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Null when <paramref name="message"/> is <paramref name="type"/>'s wire format; otherwise the first failure. A
    /// <c>byte[]</c> or <c>ReadOnlyMemory&lt;byte&gt;</c> is read as wire bytes; a Google.Protobuf message must be of
    /// <paramref name="type"/> (by full name) and is checked through its bytes; anything else is refused.
    /// </summary>
    public static string? Check(MessageDescriptor type, object message) => message switch
    {
        byte[] bytes => Check(type, bytes),
        ReadOnlyMemory<byte> memory => Check(type, memory.ToArray()),
        IMessage typed when typed.Descriptor.FullName != type.FullName =>
            $"/: the payload is a {typed.Descriptor.FullName}; the topic's contract takes {type.FullName}",
        IMessage typed => Check(type, typed.ToByteArray()),
        string => $"/: the payload is text; the topic's Protobuf contract ({type.FullName}) takes a byte[] of its wire format or a Google.Protobuf message",
        _ => $"/: the payload is a {message.GetType().Name}; the topic's Protobuf contract ({type.FullName}) takes a byte[] of its wire format or a Google.Protobuf message",
    };

    /// <summary>Null when <paramref name="bytes"/> are <paramref name="type"/>'s wire format; otherwise the first failure.</summary>
    public static string? Check(MessageDescriptor type, byte[] bytes)
    {
        try
        {
            return Walk(new CodedInputStream(bytes), type, "", 0);
        }
        catch (InvalidProtocolBufferException e)
        {
            return $"/: the payload is not {type.FullName}'s wire format ({e.Message})";
        }
    }

    private static string? Walk(CodedInputStream input, MessageDescriptor type, string path, int depth)
    {
        if (depth > MaxDepth) return $"{Root(path)}: messages nested deeper than {MaxDepth}";
        var proto3 = type.File.ToProto().Syntax == "proto3";
        var seen = new HashSet<int>();
        var counts = new Dictionary<int, int>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            var wire = WireFormat.GetTagWireType(tag);
            var field = type.FindFieldByNumber(number);
            if (field is null)
                return $"{Root(path)}: field number {number} is not in {type.FullName} (its fields: {string.Join(", ", type.Fields.InFieldNumberOrder().Select(f => $"{f.Name} = {f.FieldNumber}"))})";
            seen.Add(number);
            var index = counts[number] = counts.GetValueOrDefault(number) + 1;
            var at = Join(path, field.Name) + (field.IsRepeated && !field.IsMap ? $"[{index - 1}]" : "");
            var expected = WireTypeOf(field.FieldType);
            if (wire != expected)
            {
                // A repeated number is also written packed: one length-delimited run of values.
                if (field.IsRepeated && wire == WireFormat.WireType.LengthDelimited && expected is WireFormat.WireType.Varint or WireFormat.WireType.Fixed32 or WireFormat.WireType.Fixed64)
                {
                    if (Packed(input.ReadBytes(), expected) is { } packedError) return $"{Join(path, field.Name)}: {packedError}";
                    continue;
                }
                return $"{at}: arrived with wire type {Name(wire)}; field {field.Name} = {number} is {Name(field.FieldType)}, written as {Name(expected)}";
            }
            switch (field.FieldType)
            {
                case FieldType.Message:
                {
                    var nested = input.ReadBytes();
                    if (Walk(nested.CreateCodedInput(), field.MessageType, field.IsMap ? $"{Join(path, field.Name)}[{index - 1}]" : at, depth + 1) is { } error) return error;
                    break;
                }
                case FieldType.String:
                {
                    var text = input.ReadBytes();
                    if (proto3 && !IsUtf8(text)) return $"{at}: is not UTF-8 text (a proto3 string)";
                    break;
                }
                case FieldType.Group:
                    input.SkipLastField();   // groups (proto2, deprecated) are read past, not walked
                    break;
                default:
                    input.SkipLastField();   // a scalar of the right wire type: its bytes are read (a truncated one throws)
                    break;
            }
        }
        foreach (var field in type.Fields.InFieldNumberOrder())
            if (field.IsRequired && !seen.Contains(field.FieldNumber))
                return $"{Join(path, field.Name)}: required field {field.Name} = {field.FieldNumber} of {type.FullName} is missing";
        return null;
    }

    private static string? Packed(ByteString run, WireFormat.WireType element)
    {
        var input = run.CreateCodedInput();
        while (!input.IsAtEnd)
            switch (element)
            {
                case WireFormat.WireType.Varint: input.ReadUInt64(); break;
                case WireFormat.WireType.Fixed32: input.ReadFixed32(); break;
                default: input.ReadFixed64(); break;
            }
        return null;
    }

    private static bool IsUtf8(ByteString bytes)
    {
        try
        {
            StrictUtf8.GetCharCount(bytes.Span);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>The wire type a (non-packed) value of <paramref name="type"/> is written with.</summary>
    internal static WireFormat.WireType WireTypeOf(FieldType type) => type switch
    {
        FieldType.Double or FieldType.Fixed64 or FieldType.SFixed64 => WireFormat.WireType.Fixed64,
        FieldType.Float or FieldType.Fixed32 or FieldType.SFixed32 => WireFormat.WireType.Fixed32,
        FieldType.String or FieldType.Bytes or FieldType.Message => WireFormat.WireType.LengthDelimited,
        FieldType.Group => WireFormat.WireType.StartGroup,
        _ => WireFormat.WireType.Varint,
    };

    internal static string Name(FieldType type) => type.ToString().ToLowerInvariant();

    private static string Name(WireFormat.WireType wire) => wire switch
    {
        WireFormat.WireType.Varint => "varint (0)",
        WireFormat.WireType.Fixed64 => "64-bit (1)",
        WireFormat.WireType.LengthDelimited => "length-delimited (2)",
        WireFormat.WireType.StartGroup => "start-group (3)",
        WireFormat.WireType.EndGroup => "end-group (4)",
        WireFormat.WireType.Fixed32 => "32-bit (5)",
        _ => $"unknown ({(int)wire})",
    };

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static string Root(string path) => path.Length == 0 ? "/" : path;
}
