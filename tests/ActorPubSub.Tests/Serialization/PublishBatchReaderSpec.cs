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
/// The hand-written reader of publish batches reads what the generated parser and the mapper read, with one string for
/// each name a batch repeats (its topic, the producer id, the payloads' manifest), and steps aside where the generated
/// parser has a way of its own.
/// </summary>
[Trait("Category", "Unit")]
public sealed class PublishBatchReaderSpec
{
    private static ImmutableArray<Publish> Publishes()
    {
        var random = new Random(15);
        var publishes = ImmutableArray.CreateBuilder<Publish>();
        for (var i = 0; i < 100; i++)
        {
            var bytes = new byte[random.Next(0, 600)];
            random.NextBytes(bytes);
            publishes.Add(new Publish(
                Topic: i == 50 ? "another-topic" : "orders",
                Payload: new Payload(i % 4 == 0 ? -7 : 4, i % 3 == 0 ? "" : "Orders.Placed, Orders", bytes),
                Key: (i % 3) switch { 0 => null, 1 => "", _ => $"key-{i}-ключ" },
                Headers: (i % 4) switch
                {
                    0 => null,
                    1 => ImmutableDictionary<string, string>.Empty,
                    _ => ImmutableDictionary<string, string>.Empty.Add("correlation-id", $"c-{i}").Add("ü", ""),
                },
                MessageId: i % 5 == 0 ? null : $"id-{i}",
                ProducerId: i % 10 == 9 ? null : "3f2b1c",
                ProducerSeq: i % 7 == 0 ? long.MaxValue - i : i + 1,
                ProducerFloor: i));
        }
        return publishes.ToImmutable();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_batch_should_read_as_the_generated_parser_reads_it(bool compact)
    {
        var batch = new PublishBatch("orders", Publishes()) { CompactReceipts = compact };
        var bytes = Protocol.ToProto(batch).ToByteArray();

        var read = PublishBatchReader.TryRead(bytes);

        Assert.NotNull(read);
        AssertSame(Protocol.FromProto(P.PublishBatch.Parser.ParseFrom(bytes)), read);
        AssertSame(batch, read);
    }

    [Fact]
    public void The_names_a_batch_repeats_should_be_one_string_each()
    {
        var bytes = Protocol.ToProto(new PublishBatch("orders", Publishes())).ToByteArray();

        var read = PublishBatchReader.TryRead(bytes)!;

        Assert.Same(read.Topic, read.Publishes[0].Topic);
        Assert.Same(read.Publishes[0].Topic, read.Publishes[99].Topic);
        Assert.Same(read.Publishes[0].ProducerId, read.Publishes[98].ProducerId);
        Assert.Same(read.Publishes[1].Payload.Manifest, read.Publishes[98].Payload.Manifest);
        Assert.Equal("another-topic", read.Publishes[50].Topic);
    }

    [Fact]
    public void An_empty_batch_should_read_as_an_empty_list()
    {
        var read = PublishBatchReader.TryRead(Protocol.ToProto(new PublishBatch("", [])).ToByteArray());

        Assert.NotNull(read);
        Assert.Equal("", read.Topic);
        Assert.Empty(read.Publishes);
        Assert.False(read.CompactReceipts);
    }

    [Fact]
    public void A_publish_without_payload_should_fail_as_the_mapper_fails()
    {
        var bytes = BatchOf(Write(o => { o.WriteTag(7, WireFormat.WireType.Varint); o.WriteInt64(1); }));

        var mapper = Assert.Throws<SerializationException>(() => Protocol.FromProto(P.PublishBatch.Parser.ParseFrom(bytes)));
        var reader = Assert.Throws<SerializationException>(() => PublishBatchReader.Read(bytes));
        Assert.Equal(mapper.Message, reader.Message);
        Assert.Contains("Publish.payload", reader.Message);
    }

    [Fact]
    public void A_payload_given_twice_should_be_left_to_the_generated_parser_which_merges_it()
    {
        var bytes = BatchOf(Write(o =>
        {
            o.WriteTag(2, WireFormat.WireType.LengthDelimited); o.WriteMessage(new P.Payload { SerializerId = 4 });
            o.WriteTag(2, WireFormat.WireType.LengthDelimited); o.WriteMessage(new P.Payload { Bytes = ByteString.CopyFrom(9) });
        }));

        Assert.Null(PublishBatchReader.TryRead(bytes));
        var payload = ((PublishBatch)PublishBatchReader.Read(bytes)).Publishes[0].Payload;
        Assert.Equal(4, payload.SerializerId);
        Assert.Equal([9], payload.Bytes);
    }

    [Fact]
    public void Unknown_fields_should_be_skipped_as_the_generated_parser_skips_them()
    {
        var publish = Protocol.ToProto(Publishes()[1]).ToByteArray();
        byte[] withUnknown = [.. publish, .. Write(o => { o.WriteTag(15, WireFormat.WireType.LengthDelimited); o.WriteString("newer"); })];
        byte[] bytes = [.. BatchOf(withUnknown), .. Write(o => { o.WriteTag(12, WireFormat.WireType.Varint); o.WriteInt32(1); })];

        var read = PublishBatchReader.TryRead(bytes);

        Assert.NotNull(read);
        AssertSame(Protocol.FromProto(P.PublishBatch.Parser.ParseFrom(bytes)), read);
    }

    [Fact]
    public void Truncated_bytes_should_fail_with_the_generated_parsers_exception()
    {
        var bytes = Protocol.ToProto(new PublishBatch("orders", Publishes()[..3])).ToByteArray();
        var truncated = bytes[..(bytes.Length - 10)];

        Assert.Null(PublishBatchReader.TryRead(truncated));
        Assert.Throws<InvalidProtocolBufferException>(() => PublishBatchReader.Read(truncated));
    }

    private static byte[] BatchOf(byte[] publish) => Write(o =>
    {
        o.WriteTag(1, WireFormat.WireType.LengthDelimited); o.WriteString("orders");
        o.WriteTag(2, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(publish));
    });

    private static byte[] Write(Action<CodedOutputStream> write) => ProtoBytes.Write(write);

    private static void AssertSame(PublishBatch expected, PublishBatch? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal((expected.Topic, expected.CompactReceipts, expected.Publishes.Length), (actual.Topic, actual.CompactReceipts, actual.Publishes.Length));
        for (var i = 0; i < expected.Publishes.Length; i++)
        {
            var (e, a) = (expected.Publishes[i], actual.Publishes[i]);
            Assert.Equal((e.Topic, e.Key, e.MessageId, e.ProducerId, e.ProducerSeq, e.ProducerFloor),
                (a.Topic, a.Key, a.MessageId, a.ProducerId, a.ProducerSeq, a.ProducerFloor));
            Assert.Equal((e.Payload.SerializerId, e.Payload.Manifest), (a.Payload.SerializerId, a.Payload.Manifest));
            Assert.Equal(e.Payload.Bytes, a.Payload.Bytes);
            ProtoBytes.AssertSameHeaders(e.Headers, a.Headers);
        }
    }
}
