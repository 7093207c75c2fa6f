using System.Collections.Immutable;
using System.Runtime.Serialization;
using ActorPubSub.Serialization.Legacy;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Serialization;

/// <summary>The primitives of the legacy binary format (still read from stored data): edge values, encoded sizes and malformed input.</summary>
public sealed class WireFormatSpec
{
    private delegate T Read<out T>(ref LegacyWireReader reader);

    [Theory, Trait("Category", "Unit")]
    [InlineData(0UL, 1)]
    [InlineData(127UL, 1)]
    [InlineData(128UL, 2)]
    [InlineData(16_383UL, 2)]
    [InlineData(16_384UL, 3)]
    [InlineData(uint.MaxValue, 5)]
    [InlineData(ulong.MaxValue, 10)]
    public void Varint_should_round_trip_unsigned_values_in_the_fewest_bytes(ulong value, int size)
    {
        var bytes = Write(w => w.WriteVarUInt64(value));

        Assert.Equal(size, bytes.Length);
        Assert.Equal(value, ReadAll(bytes, static (ref LegacyWireReader r) => r.ReadVarUInt64("value")));
    }

    [Theory, Trait("Category", "Unit")]
    [InlineData(0L, 1)]
    [InlineData(-1L, 1)]
    [InlineData(63L, 1)]
    [InlineData(-64L, 1)]
    [InlineData(64L, 2)]
    [InlineData(long.MaxValue, 10)]
    [InlineData(long.MinValue, 10)]
    public void Varint_should_zigzag_signed_values(long value, int size)
    {
        var bytes = Write(w => w.WriteVarInt64(value));

        Assert.Equal(size, bytes.Length);
        Assert.Equal(value, ReadAll(bytes, static (ref LegacyWireReader r) => r.ReadVarInt64("value")));
    }

    [Theory, Trait("Category", "Unit")]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(int.MaxValue)]
    public void Varint_should_round_trip_every_int(int value)
    {
        Assert.Equal(value, ReadAll(Write(w => w.WriteVarInt32(value)), static (ref LegacyWireReader r) => r.ReadVarInt32("value")));
        Assert.Equal(value, ReadAll(Write(w => w.WriteNonNegative(value)), static (ref LegacyWireReader r) => r.ReadNonNegativeInt32("value")));
    }

    [Fact, Trait("Category", "Unit")]
    public void NonNegative_should_still_round_trip_a_negative_long()
    {
        var bytes = Write(w => w.WriteNonNegative(-5L));

        Assert.Equal(10, bytes.Length);
        Assert.Equal(-5L, ReadAll(bytes, static (ref LegacyWireReader r) => r.ReadNonNegativeInt64("value")));
    }

    [Theory, Trait("Category", "Unit")]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x10 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]
    public void Varint_should_reject_a_value_wider_than_32_bits(byte[] bytes)
    {
        var e = Assert.Throws<SerializationException>(() => ReadAll(bytes, static (ref LegacyWireReader r) => r.ReadVarUInt32("count")));

        Assert.Contains("count", e.Message);
        Assert.Contains("does not fit 32 bits", e.Message);
    }

    [Fact, Trait("Category", "Unit")]
    public void Varint_should_reject_a_value_wider_than_64_bits()
    {
        // eleven continuation bytes must end in an error, not a loop or a silently wrapped value
        byte[] bytes = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];

        var e = Assert.Throws<SerializationException>(() => ReadAll(bytes, static (ref LegacyWireReader r) => r.ReadVarUInt64("sequence")));

        Assert.Contains("does not fit 64 bits", e.Message);
    }

    [Fact, Trait("Category", "Unit")]
    public void Varint_should_report_truncation_with_the_field_name()
    {
        var e = Assert.Throws<SerializationException>(() => ReadAll([0x80, 0x80], static (ref LegacyWireReader r) => r.ReadVarUInt64("Nack.Sequence")));

        Assert.Contains("Truncated input while reading Nack.Sequence", e.Message);
    }

    [Theory, Trait("Category", "Unit")]
    [InlineData("")]
    [InlineData("orders")]
    [InlineData("zürich-東京-🚀")]
    [InlineData("\0 nul and \n newline")]
    public void String_should_round_trip(string value)
    {
        Assert.Equal(value, ReadAll(Write(w => w.WriteString(value)), static (ref LegacyWireReader r) => r.ReadString("value")));
        Assert.Equal(value, ReadAll(Write(w => w.WriteNullableString(value)), static (ref LegacyWireReader r) => r.ReadNullableString("value")));
    }

    [Theory, Trait("Category", "Unit")]
    [InlineData('a', 41)]
    [InlineData('a', 42)]
    [InlineData('a', 43)]
    [InlineData('東', 42)]
    [InlineData('東', 43)]
    [InlineData('a', 127)]
    [InlineData('a', 128)]
    [InlineData('東', 100_000)]
    public void String_should_round_trip_on_both_sides_of_the_short_string_path(char c, int length)
    {
        var value = new string(c, length);

        Assert.Equal(value, ReadAll(Write(w => w.WriteString(value)), static (ref LegacyWireReader r) => r.ReadString("value")));
        Assert.Equal(value, ReadAll(Write(w => w.WriteNullableString(value)), static (ref LegacyWireReader r) => r.ReadNullableString("value")));
    }

    [Fact, Trait("Category", "Unit")]
    public void NullableString_should_keep_null_distinct_from_empty()
    {
        var bytes = Write(w =>
        {
            w.WriteNullableString(null);
            w.WriteNullableString("");
        });

        Assert.Equal([0, 1], bytes);
        var reader = new LegacyWireReader(bytes);
        Assert.Null(reader.ReadNullableString("first"));
        Assert.Equal("", reader.ReadNullableString("second"));
        reader.EnsureEnd();
    }

    [Fact, Trait("Category", "Unit")]
    public void String_should_replace_a_lone_surrogate_rather_than_fail()
    {
        // .NET strings may hold half a surrogate pair (e.g. a truncated exception message); UTF-8 cannot
        var back = ReadAll(Write(w => w.WriteString("a\uD800b")), static (ref LegacyWireReader r) => r.ReadString("value"));

        Assert.Equal("a\uFFFDb", back);
    }

    [Fact, Trait("Category", "Unit")]
    public void Bytes_should_round_trip_and_refuse_a_length_beyond_the_input()
    {
        byte[] payload = [1, 2, 3, 0, 255];
        Assert.Equal(payload, ReadAll(Write(w => w.WriteBytes(payload)), static (ref LegacyWireReader r) => r.ReadBytes("value")));
        Assert.Empty(ReadAll(Write(w => w.WriteBytes([])), static (ref LegacyWireReader r) => r.ReadBytes("value")));

        var e = Assert.Throws<SerializationException>(() => ReadAll([0x80, 0x80, 0x80, 0x80, 0x08, 1, 2], static (ref LegacyWireReader r) => r.ReadBytes("Payload.Bytes")));
        Assert.Contains("Payload.Bytes", e.Message);
        Assert.Contains("declares 2147483648 byte(s) but only 2 remain", e.Message);
    }

    [Fact, Trait("Category", "Unit")]
    public void Bool_should_reject_values_other_than_0_and_1()
    {
        var e = Assert.Throws<SerializationException>(() => ReadAll([7], static (ref LegacyWireReader r) => r.ReadBool("Ack.Flag")));

        Assert.Contains("Ack.Flag", e.Message);
        Assert.Contains("found 7", e.Message);
    }

    [Fact, Trait("Category", "Unit")]
    public void TimeSpan_should_round_trip_negative_zero_and_extreme_values()
    {
        foreach (var value in new[] { TimeSpan.Zero, TimeSpan.FromTicks(-1), TimeSpan.MinValue, TimeSpan.MaxValue, TimeSpan.FromMinutes(5) })
            Assert.Equal(value, ReadAll(Write(w => w.WriteTimeSpan(value)), static (ref LegacyWireReader r) => r.ReadTimeSpan("value")));
    }

    [Fact, Trait("Category", "Unit")]
    public void DateTime_should_round_trip_as_utc_and_reject_ticks_out_of_range()
    {
        var utc = new DateTime(2025, 11, 27, 5, 15, 0, DateTimeKind.Utc);
        var back = ReadAll(Write(w => w.WriteDateTime(utc)), static (ref LegacyWireReader r) => r.ReadDateTime("value"));
        Assert.Equal(utc, back);
        Assert.Equal(DateTimeKind.Utc, back.Kind);

        var e = Assert.Throws<SerializationException>(() =>
            ReadAll(Write(w => w.WriteFixedInt64(-1)), static (ref LegacyWireReader r) => r.ReadDateTime("TopicMessage.Timestamp")));
        Assert.Contains("TopicMessage.Timestamp", e.Message);
        Assert.Contains("outside the range of a DateTime", e.Message);
    }

    [Fact, Trait("Category", "Unit")]
    public void Dictionary_should_round_trip_null_empty_and_entries()
    {
        var headers = ImmutableDictionary<string, string>.Empty.Add("a", "1").Add("ünï", "東京").Add("", "");
        var bytes = Write(w =>
        {
            w.WriteNullableStringDictionary(null);
            w.WriteNullableStringDictionary(ImmutableDictionary<string, string>.Empty);
            w.WriteNullableStringDictionary(headers);
        });

        var reader = new LegacyWireReader(bytes);
        Assert.Null(reader.ReadNullableStringDictionary("first"));
        Assert.Empty(reader.ReadNullableStringDictionary("second")!);
        Assert.Equal(headers.OrderBy(h => h.Key), reader.ReadNullableStringDictionary("third")!.OrderBy(h => h.Key));
        reader.EnsureEnd();
    }

    [Fact, Trait("Category", "Unit")]
    public void Dictionary_should_reject_a_repeated_name()
    {
        byte[] bytes = [3, 1, (byte)'a', 0, 1, (byte)'a', 0];

        var e = Assert.Throws<SerializationException>(() => ReadAll(bytes, static (ref LegacyWireReader r) => r.ReadNullableStringDictionary("Publish.Headers")));

        Assert.Contains("'a' appears twice", e.Message);
    }

    [Fact, Trait("Category", "Unit")]
    public void DeltaArray_should_round_trip_any_longs()
    {
        ImmutableArray<long> values = [long.MaxValue, long.MinValue, 0, -1, 1, long.MinValue, long.MaxValue, 42];

        var back = ReadAll(Write(w => w.WriteInt64ArrayDelta(values)), static (ref LegacyWireReader r) => r.ReadInt64ArrayDelta("value"));

        // ImmutableArray equality is by reference: compare the contents
        Assert.Equal(values.ToArray(), back.ToArray());
    }

    [Fact, Trait("Category", "Unit")]
    public void DeltaArray_should_write_consecutive_sequences_in_one_byte_each()
    {
        var values = Enumerable.Range(0, 500).Select(i => 9_000_000_000_000L + i).ToImmutableArray();

        var bytes = Write(w => w.WriteInt64ArrayDelta(values));

        // count (2 bytes), the first value (7 bytes), then one byte per step
        Assert.Equal(2 + 7 + 499, bytes.Length);
        Assert.Equal(values.ToArray(), ReadAll(bytes, static (ref LegacyWireReader r) => r.ReadInt64ArrayDelta("value")).ToArray());
    }

    [Fact, Trait("Category", "Unit")]
    public void DeltaArray_should_refuse_a_count_beyond_the_input()
    {
        var e = Assert.Throws<SerializationException>(() => ReadAll([0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0], static (ref LegacyWireReader r) => r.ReadInt64ArrayDelta("Ack.Sequences")));

        Assert.Contains("Ack.Sequences", e.Message);
        Assert.Contains("declares 2147483647 item(s)", e.Message);
    }

    [Fact, Trait("Category", "Unit")]
    public void Writer_should_grow_past_its_initial_capacity_and_return_exact_bytes()
    {
        var bytes = Write(w =>
        {
            for (var i = 0; i < 10_000; i++)
                w.WriteVarUInt32((uint)i);
        }, initialCapacity: 1);

        var reader = new LegacyWireReader(bytes);
        for (var i = 0; i < 10_000; i++)
            Assert.Equal((uint)i, reader.ReadVarUInt32("value"));
        reader.EnsureEnd();
    }

    private static byte[] Write(Action<LegacyWireWriter> write, int initialCapacity = 256)
    {
        using var writer = new LegacyWireWriter(initialCapacity);
        write(writer);
        return writer.ToArray();
    }

    private static T ReadAll<T>(byte[] bytes, Read<T> read)
    {
        var reader = new LegacyWireReader(bytes);
        var value = read(ref reader);
        reader.EnsureEnd();
        return value;
    }
}
