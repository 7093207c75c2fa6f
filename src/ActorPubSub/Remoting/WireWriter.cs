namespace ActorPubSub.Remoting;

/// <summary>
/// Writes the Protocol Buffers wire format into a span: the few pieces Akka.Remote's frame envelope needs (tags,
/// varint lengths, fixed64), the counterpart of <see cref="WireReader"/>. The caller sizes the span first
/// (<see cref="LengthDelimitedSize"/>), so nothing here grows or copies a buffer.
/// </summary>
internal ref struct WireWriter(Span<byte> output)
{
    private readonly Span<byte> _output = output;
    private int _at;

    /// <summary>Bytes written so far.</summary>
    public readonly int Position => _at;

    /// <summary>The tag and length of a length-delimited field, its content to follow.</summary>
    public void WriteLengthDelimitedHeader(int field, int length)
    {
        WriteVarint((uint)(field << 3 | WireReader.LengthDelimited));
        WriteVarint((uint)length);
    }

    public void WriteBytes(int field, ReadOnlySpan<byte> bytes)
    {
        WriteLengthDelimitedHeader(field, bytes.Length);
        bytes.CopyTo(_output[_at..]);
        _at += bytes.Length;
    }

    public void WriteVarintField(int field, uint value)
    {
        WriteVarint((uint)(field << 3 | WireReader.Varint));
        WriteVarint(value);
    }

    public void WriteFixed64Field(int field, ulong value)
    {
        WriteVarint((uint)(field << 3 | WireReader.Fixed64));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(_output.Slice(_at, 8), value);
        _at += 8;
    }

    /// <summary>The span for <paramref name="length"/> bytes written by someone else (a protobuf message), and moves past it.</summary>
    public Span<byte> Reserve(int length)
    {
        var span = _output.Slice(_at, length);
        _at += length;
        return span;
    }

    /// <summary>The size of a length-delimited field of a single-byte tag (fields 1 to 15) with <paramref name="length"/> bytes of content.</summary>
    public static int LengthDelimitedSize(int length) => 1 + VarintSize((uint)length) + length;

    public static int VarintSize(uint value)
    {
        var n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }
        return n;
    }

    private void WriteVarint(uint value)
    {
        while (value >= 0x80)
        {
            _output[_at++] = (byte)(value | 0x80);
            value >>= 7;
        }
        _output[_at++] = (byte)value;
    }
}
