using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using ActorPubSub.Serialization.Legacy;

namespace ActorPubSub.Tests.Serialization;

/// <summary>
/// The writer of the binary format before protobuf, kept for tests only: it crafts legacy input (edge values,
/// malformed counts) for <see cref="LegacyWireReader"/>, which product code still uses to read stored data.
/// Appends to a pooled, growable buffer; <see cref="ToArray"/> returns the exact-size result.
/// </summary>
/// <remarks>
/// A class rather than a ref struct so callers can hold it in a <c>using</c> and hand it to the per-message
/// write methods without <c>ref</c> plumbing; that costs one small object per serialized message, next to
/// the byte[] the serializer has to return anyway.
/// </remarks>
internal sealed class LegacyWireWriter : IDisposable
{
    // Below this many chars, 3 UTF-8 bytes per char still fit a one-byte length (< 128 even with the
    // nullable +1 bias), so short names are encoded in place without a separate counting pass.
    private const int ShortStringChars = 42;

    private byte[] _buffer;
    private int _position;

    public LegacyWireWriter(int initialCapacity = 256) =>
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 16));

    /// <summary>Bytes written so far.</summary>
    public int Length => _position;

    public byte[] ToArray() => _position == 0 ? [] : _buffer.AsSpan(0, _position).ToArray();

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _position = 0;
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }

    public void WriteByte(byte value)
    {
        EnsureCapacity(1);
        _buffer[_position++] = value;
    }

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteVarUInt32(uint value) => WriteVarUInt64(value);   // the same encoding; at most 5 bytes

    public void WriteVarUInt64(ulong value)
    {
        EnsureCapacity(10);
        var buffer = _buffer;
        var pos = _position;
        while (value >= 0x80)
        {
            buffer[pos++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[pos++] = (byte)value;
        _position = pos;
    }

    /// <summary>Zigzag varint: small magnitudes of either sign take few bytes.</summary>
    public void WriteVarInt32(int value) => WriteVarUInt32(ZigZag.Encode(value));

    /// <summary>Zigzag varint: small magnitudes of either sign take few bytes.</summary>
    public void WriteVarInt64(long value) => WriteVarUInt64(ZigZag.Encode(value));

    /// <summary>
    /// Sequence numbers, counts and other values that are never negative by contract, as an unsigned varint
    /// of their bits: no zigzag bit spent on a sign they do not have. Nothing is enforced: a negative value
    /// still round-trips, it just takes 10 bytes.
    /// </summary>
    public void WriteNonNegative(long value) => WriteVarUInt64(unchecked((ulong)value));

    /// <inheritdoc cref="WriteNonNegative(long)"/>
    public void WriteNonNegative(int value) => WriteVarUInt32(unchecked((uint)value));

    /// <summary>Eight little-endian bytes: cheaper than a varint for values that use most of their 64 bits.</summary>
    public void WriteFixedInt64(long value)
    {
        EnsureCapacity(8);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_position), value);
        _position += 8;
    }

    public void WriteTimeSpan(TimeSpan value) => WriteVarInt64(value.Ticks);

    /// <summary>UTC ticks, fixed width (current dates need 60 bits, more than a varint saves).</summary>
    public void WriteDateTime(DateTime value) => WriteFixedInt64(UtcTicks(value));

    /// <summary>The ticks of <paramref name="value"/> in UTC; Unspecified is taken to already be UTC.</summary>
    public static long UtcTicks(DateTime value) =>
        value.Kind == DateTimeKind.Local ? value.ToUniversalTime().Ticks : value.Ticks;

    /// <summary>Length-prefixed UTF-8.</summary>
    public void WriteString(string value) => WriteStringCore(value, bias: 0);

    /// <summary>Like <see cref="WriteString"/> with the length biased by one, so 0 marks null at no extra byte.</summary>
    public void WriteNullableString(string? value)
    {
        if (value is null) WriteByte(0);
        else WriteStringCore(value, bias: 1);
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteVarUInt32((uint)value.Length);
        EnsureCapacity(value.Length);
        value.CopyTo(_buffer.AsSpan(_position));
        _position += value.Length;
    }

    /// <summary>Count biased by one (0 marks null), then name/value pairs.</summary>
    public void WriteNullableStringDictionary(ImmutableDictionary<string, string>? value)
    {
        if (value is null)
        {
            WriteByte(0);
            return;
        }
        WriteVarUInt32((uint)value.Count + 1);
        foreach (var (name, item) in value)
        {
            WriteString(name);
            WriteString(item);
        }
    }

    /// <summary>
    /// Count, first value, then each value as the zigzag difference from the one before: ascending sequence
    /// numbers cost a byte each however large they are. Differences wrap (unchecked), so any values round-trip.
    /// A default (uninitialized) array is written as empty.
    /// </summary>
    public void WriteInt64ArrayDelta(ImmutableArray<long> values)
    {
        if (values.IsDefaultOrEmpty)
        {
            WriteByte(0);
            return;
        }
        WriteVarUInt32((uint)values.Length);
        var previous = 0L;
        foreach (var value in values)
        {
            WriteVarInt64(unchecked(value - previous));
            previous = value;
        }
    }

    private void WriteStringCore(string value, uint bias)
    {
        if (value.Length <= ShortStringChars)
        {
            EnsureCapacity(1 + value.Length * 3);
            var written = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_position + 1));
            _buffer[_position] = (byte)(written + bias);
            _position += 1 + written;
            return;
        }
        var byteCount = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt32((uint)byteCount + bias);
        EnsureCapacity(byteCount);
        _position += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_position));
    }

    private void EnsureCapacity(int additional)
    {
        if (_buffer.Length - _position >= additional) return;
        Grow(additional);
    }

    private void Grow(int additional)
    {
        var required = (long)_position + additional;
        if (required > Array.MaxLength)
            throw new InvalidOperationException($"An ActorPubSub message cannot exceed {Array.MaxLength} bytes.");
        var size = (int)Math.Min(Math.Max(required, (long)_buffer.Length * 2), Array.MaxLength);
        var larger = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _position).CopyTo(larger);
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}

/// <summary>Maps signed integers to unsigned so small magnitudes of either sign make short varints.</summary>
file static class ZigZag
{
    public static uint Encode(int value) => unchecked((uint)((value << 1) ^ (value >> 31)));
    public static ulong Encode(long value) => unchecked((ulong)((value << 1) ^ (value >> 63)));
}
