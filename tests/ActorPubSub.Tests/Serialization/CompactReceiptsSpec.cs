using System.Collections.Immutable;
using System.Runtime.Serialization;
using ActorPubSub.Messages;
using ActorPubSub.Serialization;
using ActorPubSub.Topics;
using Akka.Configuration;
using Google.Protobuf;
using Xunit.Abstractions;
using P = ActorPubSub.Serialization.Proto;

namespace ActorPubSub.Tests.Serialization;

/// <summary>
/// Receipts in their compact form (manifest tPC), sent only to a sender that asked for it in its PublishBatch: what they
/// read back, when they fall back to the full form, and that the flag and the form never reach a reader that does not
/// know them (old clients never ask; old nodes skip the flag).
/// </summary>
[Trait("Category", "Unit")]
public sealed class CompactReceiptsSpec(ITestOutputHelper testOutput)
    : Akka.TestKit.Xunit2.TestKit(SerializerConfig, nameof(CompactReceiptsSpec), testOutput)
{
    private static readonly Config SerializerConfig = ConfigurationFactory.ParseString("""
        akka.actor.serializers.actorpubsub = "ActorPubSub.Serialization.PubSubSerializer, ActorPubSub"
        akka.actor.serialization-bindings { "ActorPubSub.Messages.IPubSubWireMessage, ActorPubSub" = actorpubsub }
        akka.actor.serialization-identifiers { "ActorPubSub.Serialization.PubSubSerializer, ActorPubSub" = 471 }
        """);

    private const string Topic = "orders-zürich-東京";
    private const string Producer = "0f8fad5bd9cb469fa16570867728950e";

    [Fact]
    public void Compact_receipts_should_read_back_as_the_receipts_written()
    {
        // arrange: runs, a gap in the topic's sequence (another producer's messages between), duplicates, extremes that wrap
        PublishReceipt R(long sequence, long producerSeq, bool duplicate = false) => new(Topic, sequence, Producer, producerSeq, duplicate);
        var receipts = ImmutableArray.Create(
            R(100, 1), R(101, 2), R(102, 3), R(110, 4), R(111, 5), R(50, 6, duplicate: true), R(112, 7), R(113, 8, duplicate: true),
            R(long.MaxValue, 9), R(long.MinValue, 10), R(1, long.MaxValue), R(2, long.MinValue));
        var sent = new PublishReceipts(Topic, receipts) { Compact = true };

        // act
        var (manifest, back) = RoundTrip(sent);

        // assert
        Assert.Equal(PubSubSerializer.CompactReceiptsManifest, manifest);
        Assert.Equal(Topic, back.Topic);
        Assert.Equal(receipts.ToArray(), back.Receipts.ToArray());   // PublishReceipt is a record of scalars and strings: value equality
    }

    [Fact]
    public void Compact_receipts_should_read_back_receipts_without_a_producer_id()
    {
        var receipts = ImmutableArray.Create(new PublishReceipt(Topic, 1, null, 0, false), new PublishReceipt(Topic, 2, null, 0, false));

        var (manifest, back) = RoundTrip(new PublishReceipts(Topic, receipts) { Compact = true });

        Assert.Equal(PubSubSerializer.CompactReceiptsManifest, manifest);
        Assert.Equal(receipts.ToArray(), back.Receipts.ToArray());
    }

    [Fact]
    public void Compact_receipts_should_be_a_few_bytes_a_receipt()
    {
        // arrange: what one write answers a client that published 500 messages in a row
        var receipts = Enumerable.Range(0, 500).Select(i => new PublishReceipt(Topic, 1_000_000 + i, Producer, 7_000 + i, false)).ToImmutableArray();
        var full = new PublishReceipts(Topic, receipts);
        var compact = full with { Compact = true };

        // act
        var fullBytes = Serialize(full).Bytes.Length;
        var compactBytes = Serialize(compact).Bytes.Length;

        // assert
        Output.WriteLine($"500 receipts: {fullBytes} bytes in full, {compactBytes} compact");
        Assert.True(fullBytes > 500 * 50, $"the full form was {fullBytes} bytes");
        Assert.True(compactBytes < 100, $"the compact form was {compactBytes} bytes");
    }

    [Fact]
    public void Receipts_should_travel_in_full_when_not_asked_for_or_not_of_one_producer()
    {
        // arrange
        var one = ImmutableArray.Create(new PublishReceipt(Topic, 1, "a", 1, false), new PublishReceipt(Topic, 2, "a", 2, false));
        var mixed = ImmutableArray.Create(new PublishReceipt(Topic, 1, "a", 1, false), new PublishReceipt(Topic, 2, "b", 1, false));
        var mixedWithNone = ImmutableArray.Create(new PublishReceipt(Topic, 1, "a", 1, false), new PublishReceipt(Topic, 2, null, 0, false));
        var otherTopic = ImmutableArray.Create(new PublishReceipt(Topic, 1, "a", 1, false), new PublishReceipt("other", 2, "a", 2, false));

        // act / assert
        foreach (var (receipts, compact) in new[] { (one, false), (mixed, true), (mixedWithNone, true), (otherTopic, true) })
        {
            var (manifest, back) = RoundTrip(new PublishReceipts(Topic, receipts) { Compact = compact });
            Assert.Equal("tPS", manifest);
            Assert.Equal(receipts.ToArray(), back.Receipts.ToArray());
        }
    }

    [Fact]
    public void An_old_client_should_get_the_full_form_and_an_old_node_should_skip_the_flag()
    {
        // arrange
        ImmutableArray<Publish> publishes =
        [
            new Publish(Topic, new Payload(1, "s", [1, 2, 3]), ProducerId: Producer, ProducerSeq: 1, ProducerFloor: 1),
            new Publish(Topic, new Payload(1, "s", [4]), ProducerId: Producer, ProducerSeq: 2, ProducerFloor: 1),
        ];
        var old = new PublishBatch(Topic, publishes);
        var asking = old with { CompactReceipts = true };

        // act
        var oldBytes = Serialize(old);
        var askingBytes = Serialize(asking);

        // assert: an old client's batch (no field 3) reads as not asking, so the topic answers in the full form
        Assert.Equal("tPB", oldBytes.Manifest);
        Assert.False(Deserialize<PublishBatch>(oldBytes).CompactReceipts);
        Assert.False(P.PublishBatch.Parser.ParseFrom(oldBytes.Bytes).CompactReceipts);
        // a new client's batch keeps its manifest and is the old bytes plus field 3 (varint 1): what an old node's reader
        // skips as an unknown field, reading the same batch and answering in the full form
        Assert.Equal("tPB", askingBytes.Manifest);
        Assert.Equal([.. oldBytes.Bytes, 3 << 3 | 0, 1], askingBytes.Bytes);
        Assert.True(Deserialize<PublishBatch>(askingBytes).CompactReceipts);
        var reader = new CodedInputStream(askingBytes.Bytes);
        var fields = new List<int>();
        for (var tag = reader.ReadTag(); tag != 0; tag = reader.ReadTag())
        {
            fields.Add(WireFormat.GetTagFieldNumber(tag));
            reader.SkipLastField();
        }
        Assert.Equal([1, 2, 2, 3], fields);
    }

    [Fact]
    public void Full_receipts_should_still_read_as_before()
    {
        // what an old node sends to a new client that asked (the old node skipped the flag): the unchanged full form
        var receipts = ImmutableArray.Create(new PublishReceipt(Topic, 7, Producer, 1, false), new PublishReceipt(Topic, 8, Producer, 2, true));
        var bytes = new P.PublishReceipts
        {
            Topic = Topic,
            Receipts =
            {
                new P.PublishReceipt { Topic = Topic, Sequence = 7, ProducerId = Producer, ProducerSeq = 1 },
                new P.PublishReceipt { Topic = Topic, Sequence = 8, ProducerId = Producer, ProducerSeq = 2, Duplicate = true },
            },
        }.ToByteArray();

        var back = Deserialize<PublishReceipts>((bytes, "tPS"));

        Assert.Equal(receipts.ToArray(), back.Receipts.ToArray());
    }

    [Theory]
    [InlineData("counts without deltas")]
    [InlineData("a run of 0")]
    [InlineData("too many")]
    [InlineData("duplicate out of range")]
    [InlineData("duplicates descending")]
    public void Malformed_compact_receipts_should_fail_as_serialization_errors_naming_the_field(string problem)
    {
        // arrange
        var runs = new P.PublishReceiptRuns { Topic = Topic, SequenceDeltas = { 1 }, ProducerSeqDeltas = { 1 }, Counts = { 3 } };
        switch (problem)
        {
            case "counts without deltas": runs.Counts.Add(2); break;
            case "a run of 0": runs.Counts[0] = 0; break;
            case "too many": runs.Counts[0] = TopicProtocolMapperLimit + 1; break;
            case "duplicate out of range": runs.Duplicates.Add(3); break;
            case "duplicates descending": runs.Duplicates.Add(2); runs.Duplicates.Add(1); break;
        }

        // act
        var e = Assert.Throws<SerializationException>(() => Deserialize<PublishReceipts>((runs.ToByteArray(), PubSubSerializer.CompactReceiptsManifest)));

        // assert
        Assert.Contains("PublishReceiptRuns", e.Message);
    }

    [Fact]
    public void The_compact_manifest_should_be_new_and_not_a_legacy_one()
    {
        var serializer = PubSub;

        Assert.Equal(typeof(PublishReceipts), serializer.AlternativeManifests[PubSubSerializer.CompactReceiptsManifest]);
        Assert.DoesNotContain(PubSubSerializer.CompactReceiptsManifest, serializer.LegacyManifests.Keys);
        Assert.DoesNotContain(PubSubSerializer.CompactReceiptsManifest, serializer.Manifests.Values);
    }

    private const int TopicProtocolMapperLimit = 1_000_000;

    private PubSubSerializer PubSub => (PubSubSerializer)Sys.Serialization.FindSerializerForType(typeof(IPubSubWireMessage));

    private (byte[] Bytes, string Manifest) Serialize(object message)
    {
        var serializer = Assert.IsType<PubSubSerializer>(Sys.Serialization.FindSerializerFor(message));
        return (serializer.ToBinary(message), serializer.Manifest(message));
    }

    private T Deserialize<T>((byte[] Bytes, string Manifest) serialized) =>
        Assert.IsType<T>(Sys.Serialization.Deserialize(serialized.Bytes, PubSubSerializer.SerializerId, serialized.Manifest));

    private (string Manifest, PublishReceipts Back) RoundTrip(PublishReceipts sent)
    {
        var serialized = Serialize(sent);
        return (serialized.Manifest, Deserialize<PublishReceipts>(serialized));
    }
}
