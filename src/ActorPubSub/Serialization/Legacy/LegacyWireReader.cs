using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Runtime.Serialization;
using System.Text;

namespace ActorPubSub.Serialization.Legacy;

/// <summary>
/// Reads the primitives of the binary format ActorPubSub wrote before protobuf (what stored journals and snapshots
/// may still hold). Every read is bounds-checked and names the field it was reading,
/// so truncated or corrupt input fails with a <see cref="SerializationException"/> that says where, never with
/// an IndexOutOfRangeException. Declared lengths and counts are checked against the bytes that remain before
/// anything is allocated, so a corrupt length cannot ask for gigabytes.
/// </summary>
internal ref struct LegacyWireReader
{
    // Strict on read: the writer only produces valid UTF-8, so invalid bytes mean corruption, not data.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public LegacyWireReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _data.Length - _position;

    /// <summary>Throws unless every byte was read: leftover bytes mean writer and reader disagree on the format.</summary>
    public readonly void EnsureEnd()
    {
        if (_position != _data.Length)
            throw new SerializationException(
                $"Malformed input: {Remaining} unexpected byte(s) after the last field, at offset {_position} of {_data.Length}.");
    }

    public byte ReadByte(string field)
    {
        if (_position >= _data.Length) throw Truncated(field, 1);
        return _data[_position++];
    }

    public bool ReadBool(string field)
    {
        var value = ReadByte(field);
        return value switch
        {
            0 => false,
            1 => true,
            _ => throw Malformed(field, _position - 1, $"a boolean must be 0 or 1, found {value}"),
        };
    }

    public uint ReadVarUInt32(string field)
    {
        var start = _position;
        var value = ReadVarUInt64(field);
        return value <= uint.MaxValue ? (uint)value : throw Malformed(field, start, "the varint does not fit 32 bits");
    }

    public ulong ReadVarUInt64(string field)
    {
        var start = _position;
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (_position >= _data.Length) throw Truncated(field, 1);
            ulong b = _data[_position++];
            if (shift == 63 && b > 0x01) throw Malformed(field, start, "the varint does not fit 64 bits");
            result |= (b & 0x7F) << shift;
            if (b < 0x80) return result;
        }
        throw Malformed(field, start, "the varint does not fit 64 bits");
    }

    // zigzag: small magnitudes of either sign were written in few bytes
    public int ReadVarInt32(string field)
    {
        var value = ReadVarUInt32(field);
        return unchecked((int)(value >> 1) ^ -(int)(value & 1));
    }

    public long ReadVarInt64(string field)
    {
        var value = ReadVarUInt64(field);
        return unchecked((long)(value >> 1) ^ -(long)(value & 1));
    }

    /// <summary>A value that is never negative by contract, written as an unsigned varint of its bits.</summary>
    public long ReadNonNegativeInt64(string field) => unchecked((long)ReadVarUInt64(field));

    /// <inheritdoc cref="ReadNonNegativeInt64"/>
    public int ReadNonNegativeInt32(string field) => unchecked((int)ReadVarUInt32(field));

    public long ReadFixedInt64(string field)
    {
        if (Remaining < 8) throw Truncated(field, 8);
        var value = BinaryPrimitives.ReadInt64LittleEndian(_data.Slice(_position, 8));
        _position += 8;
        return value;
    }

    public TimeSpan ReadTimeSpan(string field) => new(ReadVarInt64(field));

    public DateTime ReadDateTime(string field)
    {
        var start = _position;
        return ToUtcDateTime(ReadFixedInt64(field), field, start);
    }

    /// <summary>A UTC DateTime from ticks, rejecting ticks outside DateTime's range as corruption.</summary>
    public readonly DateTime ToUtcDateTime(long ticks, string field, int offset)
    {
        if ((ulong)ticks > (ulong)DateTime.MaxValue.Ticks)
            throw Malformed(field, offset, $"{ticks} ticks is outside the range of a DateTime");
        return new DateTime(ticks, DateTimeKind.Utc);
    }

    public string ReadString(string field)
    {
        var start = _position;
        var length = ReadVarUInt32(field);
        return ReadUtf8(field, start, length);
    }

    public string? ReadNullableString(string field)
    {
        var start = _position;
        var biased = ReadVarUInt32(field);
        return biased == 0 ? null : ReadUtf8(field, start, biased - 1);
    }

    public byte[] ReadBytes(string field)
    {
        var start = _position;
        var length = ReadLength(field, start, ReadVarUInt32(field));
        if (length == 0) return [];
        var bytes = _data.Slice(_position, length).ToArray();
        _position += length;
        return bytes;
    }

    public ImmutableDictionary<string, string>? ReadNullableStringDictionary(string field)
    {
        var start = _position;
        var biased = ReadVarUInt32(field);
        if (biased == 0) return null;
        // each entry is at least two empty strings: two length bytes
        var count = CheckCount(field, start, biased - 1, minBytesPerItem: 2);
        if (count == 0) return ImmutableDictionary<string, string>.Empty;
        var builder = ImmutableDictionary.CreateBuilder<string, string>();
        for (var i = 0; i < count; i++)
        {
            var entryStart = _position;
            var name = ReadString(field);
            var value = ReadString(field);
            if (!builder.TryAdd(name, value))
                throw Malformed(field, entryStart, $"the name '{name}' appears twice");
        }
        return builder.ToImmutable();
    }

    /// <summary>Count, then each value as the zigzag difference from the one before (the first from 0).</summary>
    public ImmutableArray<long> ReadInt64ArrayDelta(string field)
    {
        var count = ReadCount(field, minBytesPerItem: 1);
        if (count == 0) return [];
        var values = new long[count];
        var previous = 0L;
        for (var i = 0; i < values.Length; i++)
        {
            previous = unchecked(previous + ReadVarInt64(field));
            values[i] = previous;
        }
        return ImmutableCollectionsMarshal.AsImmutableArray(values);
    }

    /// <summary>
    /// An element count, refused when the remaining bytes could not hold that many elements of at least
    /// <paramref name="minBytesPerItem"/> bytes each, so callers may allocate an array of that size.
    /// </summary>
    public int ReadCount(string field, int minBytesPerItem)
    {
        var start = _position;
        return CheckCount(field, start, ReadVarUInt32(field), minBytesPerItem);
    }

    public readonly SerializationException Malformed(string field, int offset, string problem) =>
        new($"Malformed input while reading {field} at offset {offset} of {_data.Length}: {problem}.");

    private string ReadUtf8(string field, int start, uint declaredLength)
    {
        var length = ReadLength(field, start, declaredLength);
        if (length == 0) return string.Empty;
        string value;
        try
        {
            value = StrictUtf8.GetString(_data.Slice(_position, length));
        }
        catch (DecoderFallbackException e)
        {
            throw new SerializationException(
                $"Malformed input while reading {field} at offset {_position} of {_data.Length}: the string is not valid UTF-8 ({e.Message}).", e);
        }
        _position += length;
        return value;
    }

    private readonly int ReadLength(string field, int start, uint declaredLength)
    {
        if (declaredLength > (uint)Remaining)
            throw new SerializationException(
                $"Truncated or malformed input while reading {field} at offset {start}: it declares {declaredLength} byte(s) " +
                $"but only {Remaining} remain of {_data.Length}.");
        return (int)declaredLength;
    }

    private readonly int CheckCount(string field, int start, uint count, int minBytesPerItem)
    {
        if (count > (uint)(Remaining / minBytesPerItem))
            throw new SerializationException(
                $"Truncated or malformed input while reading {field} at offset {start}: it declares {count} item(s) " +
                $"but only {Remaining} byte(s) remain of {_data.Length}.");
        return (int)count;
    }

    private readonly SerializationException Truncated(string field, int needed) =>
        new($"Truncated input while reading {field}: {needed} byte(s) needed at offset {_position}, " +
            $"but only {Remaining} remain of {_data.Length}.");
}
