using System.Collections.Immutable;
using System.Runtime.Serialization;
using ActorPubSub.Messages;
using ActorPubSub.Serialization;
using ActorPubSub.Topics;
using Google.Protobuf;
using P = ActorPubSub.Serialization.Proto;
using Protocol = ActorPubSub.Serialization.TopicProtocolMapper;

namespace ActorPubSub.Tests.Serialization;

/// <summary>
/// The hand-written reader of deliveries and transient publishes reads exactly what the generated parser and the mapper
/// read: the same records from the same bytes, the same failures, and the generated parser's way wherever that has one
/// of its own (a singular message given twice, a known field under another wire type, text that is not UTF-8).
/// </summary>
[Trait("Category", "Unit")]
public sealed class TopicMessageBatchReaderSpec
{
    private static readonly DateTime Accepted = new(2026, 12, 6, 8, 0, 0, DateTimeKind.Utc);

    /// <summary>Messages covering every field's shapes: absent, empty and set keys, ids and headers, negative serializer ids, empty and large payloads.</summary>
    private static ImmutableArray<TopicMessage> Messages()
    {
        var random = new Random(15);
        var messages = ImmutableArray.CreateBuilder<TopicMessage>();
        for (var i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(0, 3) == 0 ? 0 : random.Next(1, 2000)];
            random.NextBytes(bytes);
            var headers = (i % 4) switch
            {
                0 => null,
                1 => ImmutableDictionary<string, string>.Empty,
                _ => ImmutableDictionary<string, string>.Empty.Add("correlation-id", $"c-{i}").Add("ü-名", i % 2 == 0 ? "" : "wert"),
            };
            messages.Add(new TopicMessage(
                Sequence: i % 7 == 0 ? long.MaxValue - i : random.NextInt64(0, 1L << 40),
                Timestamp: i % 11 == 0 ? DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc) : Accepted.AddTicks(random.NextInt64(0, 1L << 40)),
                Payload: new Payload(random.Next(int.MinValue, int.MaxValue), i % 3 == 0 ? "" : $"Orders.Placed, v{i % 5}", bytes),
                Key: (i % 3) switch { 0 => null, 1 => "", _ => $"key-{i}-ключ" },
                Headers: headers,
                MessageId: i % 5 == 0 ? null : $"id-{i}"));
        }
        return messages.ToImmutable();
    }

    [Fact]
    public void A_delivery_should_read_as_the_generated_parser_reads_it()
    {
        var deliver = new Deliver("orders", "billing", Messages(), [.. Enumerable.Range(0, 200).Select(i => i % 9 == 0 ? -1 : i)]);
        var bytes = Protocol.ToProto(deliver).ToByteArray();

        var read = TopicMessageBatchReader.TryReadDeliver(bytes);

        Assert.NotNull(read);
        AssertSame(Protocol.FromProto(P.Deliver.Parser.ParseFrom(bytes)), read);
        AssertSame(deliver, read);
    }

    [Fact]
    public void A_transient_publish_should_read_as_the_generated_parser_reads_it()
    {
        var publish = new PublishTransient("orders", Messages());
        var bytes = Protocol.ToProto(publish).ToByteArray();

        var read = TopicMessageBatchReader.TryReadPublishTransient(bytes);

        Assert.NotNull(read);
        var expected = Protocol.FromProto(P.PublishTransient.Parser.ParseFrom(bytes));
        Assert.Equal(expected.Topic, read.Topic);
        AssertSame(expected.Messages, read.Messages);
    }

    [Fact]
    public void An_empty_delivery_should_read_as_empty_lists()
    {
        var read = TopicMessageBatchReader.TryReadDeliver(Protocol.ToProto(new Deliver("", "", [], [])).ToByteArray());

        Assert.NotNull(read);
        Assert.Equal(("", ""), (read.Topic, read.Subscription));
        Assert.Empty(read.Messages);
        Assert.Empty(read.Attempts);
    }

    [Fact]
    public void Unpacked_attempts_and_unknown_fields_should_read_as_the_generated_parser_reads_them()
    {
        // attempts one varint each (field 4, wire type 0), as an older writer may, and fields this version does not know
        var message = Protocol.ToProto(new Deliver("orders", "billing", Messages()[..2], [])).ToByteArray();
        byte[] bytes = [.. message, .. Write(o =>
        {
            o.WriteTag(4, WireFormat.WireType.Varint); o.WriteInt32(2);
            o.WriteTag(4, WireFormat.WireType.Varint); o.WriteInt32(-3);
            o.WriteTag(9, WireFormat.WireType.LengthDelimited); o.WriteString("from a newer node");
            o.WriteTag(10, WireFormat.WireType.Fixed32); o.WriteFixed32(7);
        })];

        var read = TopicMessageBatchReader.TryReadDeliver(bytes);

        Assert.NotNull(read);
        Assert.Equal([2, -3], read.Attempts.ToArray());
        AssertSame(Protocol.FromProto(P.Deliver.Parser.ParseFrom(bytes)), read);
    }

    [Fact]
    public void A_payload_given_twice_should_be_left_to_the_generated_parser_which_merges_it()
    {
        var first = new P.Payload { SerializerId = 4, Manifest = "m" };
        var second = new P.Payload { Bytes = ByteString.CopyFrom(1, 2, 3) };
        var message = Write(o =>
        {
            o.WriteTag(1, WireFormat.WireType.Varint); o.WriteInt64(5);
            o.WriteTag(3, WireFormat.WireType.LengthDelimited); o.WriteMessage(first);
            o.WriteTag(3, WireFormat.WireType.LengthDelimited); o.WriteMessage(second);
        });
        var bytes = DeliverOf(message);

        Assert.Null(TopicMessageBatchReader.TryReadDeliver(bytes));
        var payload = ((Deliver)TopicMessageBatchReader.ReadDeliver(bytes)).Messages[0].Payload;
        Assert.Equal((4, "m"), (payload.SerializerId, payload.Manifest));
        Assert.Equal([1, 2, 3], payload.Bytes);
    }

    [Fact]
    public void Text_that_is_not_utf8_should_be_left_to_the_generated_parser()
    {
        var message = Write(o =>
        {
            o.WriteTag(3, WireFormat.WireType.LengthDelimited); o.WriteMessage(new P.Payload());
            o.WriteTag(4, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(0xC3, 0x28));
        });
        var bytes = DeliverOf(message);

        Assert.Null(TopicMessageBatchReader.TryReadDeliver(bytes));
        AssertSameOutcome(bytes);
    }

    [Fact]
    public void A_known_field_under_another_wire_type_should_be_left_to_the_generated_parser()
    {
        var message = Write(o =>
        {
            o.WriteTag(3, WireFormat.WireType.LengthDelimited); o.WriteMessage(new P.Payload());
            o.WriteTag(1, WireFormat.WireType.Fixed64); o.WriteFixed64(9);   // sequence is a varint
        });
        var bytes = DeliverOf(message);

        Assert.Null(TopicMessageBatchReader.TryReadDeliver(bytes));
        AssertSameOutcome(bytes);
    }

    [Fact]
    public void A_message_without_payload_should_fail_as_the_mapper_fails()
    {
        var bytes = DeliverOf(Write(o => { o.WriteTag(1, WireFormat.WireType.Varint); o.WriteInt64(5); }));

        var mapper = Assert.Throws<SerializationException>(() => Protocol.FromProto(P.Deliver.Parser.ParseFrom(bytes)));
        var reader = Assert.Throws<SerializationException>(() => TopicMessageBatchReader.ReadDeliver(bytes));
        Assert.Equal(mapper.Message, reader.Message);
        Assert.Contains("TopicMessage.payload", reader.Message);
    }

    [Fact]
    public void A_timestamp_out_of_range_should_fail_as_the_mapper_fails()
    {
        var bytes = DeliverOf(Write(o =>
        {
            o.WriteTag(2, WireFormat.WireType.Fixed64); o.WriteSFixed64(-1);
            o.WriteTag(3, WireFormat.WireType.LengthDelimited); o.WriteMessage(new P.Payload());
        }));

        var mapper = Assert.Throws<SerializationException>(() => Protocol.FromProto(P.Deliver.Parser.ParseFrom(bytes)));
        var reader = Assert.Throws<SerializationException>(() => TopicMessageBatchReader.ReadDeliver(bytes));
        Assert.Equal(mapper.Message, reader.Message);
    }

    [Fact]
    public void Truncated_bytes_should_fail_with_the_generated_parsers_exception()
    {
        var bytes = Protocol.ToProto(new Deliver("orders", "billing", Messages()[..3], [1, 1, 1])).ToByteArray();
        // into the last message (the attempts, 5 bytes, come after it)
        var truncated = bytes[..(bytes.Length - 20)];

        Assert.Null(TopicMessageBatchReader.TryReadDeliver(truncated));
        Assert.Throws<InvalidProtocolBufferException>(() => TopicMessageBatchReader.ReadDeliver(truncated));
    }

    /// <summary>A Deliver whose one message is <paramref name="message"/> (a TopicMessage's bytes).</summary>
    private static byte[] DeliverOf(byte[] message) => Write(o =>
    {
        o.WriteTag(1, WireFormat.WireType.LengthDelimited); o.WriteString("orders");
        o.WriteTag(3, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(message));
    });

    private static byte[] Write(Action<CodedOutputStream> write) => ProtoBytes.Write(write);

    /// <summary>The reader gives what the generated parser and the mapper give: the same record, or the same kind of failure.</summary>
    private static void AssertSameOutcome(byte[] bytes)
    {
        Deliver? expected = null;
        Exception? failure = null;
        try
        {
            expected = Protocol.FromProto(P.Deliver.Parser.ParseFrom(bytes));
        }
        catch (Exception e)
        {
            failure = e;
        }
        if (failure is not null) Assert.Throws(failure.GetType(), () => TopicMessageBatchReader.ReadDeliver(bytes));
        else AssertSame(expected!, (Deliver)TopicMessageBatchReader.ReadDeliver(bytes));
    }

    private static void AssertSame(Deliver expected, Deliver? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal((expected.Topic, expected.Subscription), (actual.Topic, actual.Subscription));
        Assert.Equal(expected.Attempts.ToArray(), actual.Attempts.ToArray());
        AssertSame(expected.Messages, actual.Messages);
    }

    private static void AssertSame(ImmutableArray<TopicMessage> expected, ImmutableArray<TopicMessage> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            Assert.Equal((e.Sequence, e.Timestamp, e.Timestamp.Kind, e.Key, e.MessageId), (a.Sequence, a.Timestamp, a.Timestamp.Kind, a.Key, a.MessageId));
            Assert.Equal((e.Payload.SerializerId, e.Payload.Manifest), (a.Payload.SerializerId, a.Payload.Manifest));
            Assert.Equal(e.Payload.Bytes, a.Payload.Bytes);
            ProtoBytes.AssertSameHeaders(e.Headers, a.Headers);
        }
    }
}
