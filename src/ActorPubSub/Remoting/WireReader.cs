namespace ActorPubSub.Remoting;

/// <summary>
/// Reads the Protocol Buffers wire format from a span without copying: tags, varints, fixed64 and length-delimited
/// fields as slices of the input. Enough to walk Akka.Remote's frame envelope (<see cref="DirectDispatch"/>); any
/// malformed input ends the walk (<see cref="TryReadTag"/> false, <see cref="Malformed"/> true).
/// </summary>
internal ref struct WireReader(ReadOnlySpan<byte> input)
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    private readonly ReadOnlySpan<byte> _input = input;
    private int _at;

    public bool Malformed { get; private set; }

    /// <summary>The next field's number and wire type; false at the end or on malformed input.</summary>
    public bool TryReadTag(out int field, out int wireType)
    {
        field = wireType = 0;
        if (Malformed || _at >= _input.Length) return false;
        if (!TryReadVarint(out var tag) || tag >> 3 is 0 or > int.MaxValue) return Fail();
        field = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        return true;
    }

    public bool TryReadVarint(out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_at >= _input.Length) return Fail();
            var b = _input[_at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return true;
        }
        return Fail();
    }

    public bool TryReadFixed64(out ulong value)
    {
        value = 0;
        if (_input.Length - _at < 8) return Fail();
        value = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(_input.Slice(_at, 8));
        _at += 8;
        return true;
    }

    /// <summary>A length-delimited field's bytes, as a slice of the input.</summary>
    public bool TryReadBytes(out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (!TryReadVarint(out var length) || length > (ulong)(_input.Length - _at)) return Fail();
        bytes = _input.Slice(_at, (int)length);
        _at += (int)length;
        return true;
    }

    /// <summary>The offset of the next byte (for fields read as slices of the input).</summary>
    public readonly int Position => _at;

    /// <summary>Skips a field of <paramref name="wireType"/>; groups (deprecated) are malformed here.</summary>
    public bool TrySkip(int wireType)
    {
        switch (wireType)
        {
            case Varint: return TryReadVarint(out _);
            case Fixed64: return TryReadFixed64(out _);
            case LengthDelimited: return TryReadBytes(out _);
            case Fixed32:
                if (_input.Length - _at < 4) return Fail();
                _at += 4;
                return true;
            default: return Fail();
        }
    }

    private bool Fail()
    {
        Malformed = true;
        return false;
    }
}
