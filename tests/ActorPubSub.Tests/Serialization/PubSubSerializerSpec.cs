using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Serialization;
using ActorPubSub.Messages;
using ActorPubSub.Serialization;
using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.DeadLetters;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Log;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using Xunit.Abstractions;

namespace ActorPubSub.Tests.Serialization;

public sealed class PubSubSerializerSpec(ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(SerializerConfig, nameof(PubSubSerializerSpec), output)
{
    private static readonly Config SerializerConfig = ConfigurationFactory.ParseString("""
        akka.actor.serializers.actorpubsub = "ActorPubSub.Serialization.PubSubSerializer, ActorPubSub"
        akka.actor.serialization-bindings { "ActorPubSub.Messages.IPubSubWireMessage, ActorPubSub" = actorpubsub }
        akka.actor.serialization-identifiers { "ActorPubSub.Serialization.PubSubSerializer, ActorPubSub" = 471 }
        """);

    private static readonly DateTime Accepted = new(2025, 11, 27, 5, 15, 42, 123, DateTimeKind.Utc);

    private const string Unicode = "zürich-東京-🚀-ŝŭ";

    // ---- topic protocol ---------------------------------------------------------------------------------

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_publish()
    {
        RoundTrip(new Publish("orders", SmallPayload()));
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_publish_with_every_optional_field()
    {
        // arrange
        var publish = new Publish(
            "orders",
            new Payload(-12345, "", [0, 255, 7]),
            Key: "customer-" + Unicode,
            Headers: ImmutableDictionary<string, string>.Empty
                .Add("trace-id", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .Add("ünïcödé", Unicode)
                .Add("empty", ""),
            MessageId: "msg-1",
            ProducerId: "producer-" + Unicode,
            ProducerSeq: 42,
            ProducerFloor: long.MaxValue);

        // act / assert
        RoundTrip(publish);
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_keep_empty_headers_distinct_from_no_headers()
    {
        var withEmpty = RoundTrip(new Publish("orders", SmallPayload(), Headers: ImmutableDictionary<string, string>.Empty));
        var without = RoundTrip(new Publish("orders", SmallPayload(), Headers: null));

        Assert.NotNull(withEmpty.Headers);
        Assert.Empty(withEmpty.Headers);
        Assert.Null(without.Headers);
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_publish_with_a_1_MiB_payload()
    {
        // arrange
        var bytes = new byte[1024 * 1024];
        new Random(471).NextBytes(bytes);
        var publish = new Publish("orders", new Payload(1, "big", bytes), Key: "k");

        // act
        var serialized = Serializer(publish).ToBinary(publish);
        RoundTrip(publish);

        // assert: the framing around the payload stays small
        Assert.InRange(serialized.Length, bytes.Length, bytes.Length + 32);
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_publish_receipt()
    {
        RoundTrip(new PublishReceipt("orders", 1, null, 0, false));
        RoundTrip(new PublishReceipt("orders", long.MaxValue, "producer-1", 17, true));
    }

    [Fact]
    public void Serializer_should_round_trip_batched_publishes_and_receipts()
    {
        RoundTrip(new PublishBatch("orders", [new Publish("orders", SmallPayload(), ProducerId: "p", ProducerSeq: 1, ProducerFloor: 1),
            new Publish("orders", SmallPayload(), "k", ImmutableDictionary<string, string>.Empty.Add("a", "b"), "id", "p", 2, 1)]));
        RoundTrip(new PublishBatch("orders", []));
        RoundTrip(new PublishReceipts("orders", [new PublishReceipt("orders", 7, "p", 1, false), new PublishReceipt("orders", 8, "p", 2, true)]));
        RoundTrip(new PublishReceipts("orders", []));
    }

    [Theory, Trait("Category", "Unit")]
    [InlineData(RejectionCode.Invalid)]
    [InlineData(RejectionCode.UnknownSubscription)]
    [InlineData(RejectionCode.UnknownTopic)]
    [InlineData(RejectionCode.TopicFull)]
    [InlineData(RejectionCode.StorageFailure)]
    [InlineData(RejectionCode.Conflict)]
    public void Serializer_should_round_trip_publish_rejected(RejectionCode code)
    {
        RoundTrip(new PublishRejected("orders", null, 0, code, "The payload is 2 MiB; at most 1 MiB is allowed."));
        RoundTrip(new PublishRejected("orders", "producer-1", 3, code, Unicode));
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_command_rejected()
    {
        RoundTrip(new CommandRejected("orders", null, nameof(GetTopicInfo), RejectionCode.UnknownTopic, "no such topic"));
        RoundTrip(new CommandRejected("orders", "billing", nameof(CreateSubscription), RejectionCode.Conflict, ""));
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_keep_an_enum_value_it_does_not_know()
    {
        // a newer node may send a code this build has no name for; it must arrive unchanged, not fail
        var back = RoundTrip(new CommandRejected("orders", null, "Future", (RejectionCode)99, "?"));
        Assert.Equal(99, (int)back.Code);
    }

    [Theory, Trait("Category", "Unit")]
    [InlineData(StartPosition.Earliest)]
    [InlineData(StartPosition.Latest)]
    public void Serializer_should_round_trip_create_subscription(StartPosition start)
    {
        RoundTrip(new CreateSubscription("orders", "billing", start, TimeSpan.FromSeconds(30)));
        RoundTrip(new CreateSubscription("orders", "billing", start, TimeSpan.Zero));
        RoundTrip(new CreateSubscription("orders", "billing", start, TimeSpan.FromSeconds(5), 7, SampleBackoff(), true, "type = \"a\""));
        RoundTrip(new CreateSubscription("orders", "billing", start, TimeSpan.Zero, 0, null, false, null));
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_subscription_created()
    {
        RoundTrip(new SubscriptionCreated("orders", "billing", 0, false));
        RoundTrip(new SubscriptionCreated("orders", "billing", 123_456_789_012, true));
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_delete_subscription()
    {
        RoundTrip(new DeleteSubscription("orders", "billing"));
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_subscription_deleted()
    {
        RoundTrip(new SubscriptionDeleted("orders", "billing", true));
        RoundTrip(new SubscriptionDeleted("orders", "billing", false));
    }

    [Fact, Trait("Category", "Unit")]
    public async Task Serializer_should_round_trip_consume_with_an_actor_ref_that_resolves_to_the_same_actor()
    {
        // arrange
        var probe = CreateTestProbe();

        // act
        var back = RoundTrip(new Consume("orders", "billing", probe.Ref, 64));
        back.Consumer.Tell("via the deserialized ref");

        // assert
        Assert.Equal(probe.Ref, back.Consumer);
        await probe.ExpectMsgAsync("via the deserialized ref");
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_consumer_registered()
    {
        RoundTrip(new ConsumerRegistered("orders", "billing"));
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_stop_consuming()
    {
        var probe = CreateTestProbe();
        var back = RoundTrip(new StopConsuming("orders", "billing", probe.Ref));
        Assert.Equal(probe.Ref, back.Consumer);
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_deliver()
    {
        // redeliveries make sequences and timestamps go backwards: the delta encoding must not assume order
        RoundTrip(new Deliver("orders", "billing", SampleMessages(), [1, 1, 3, 2_000_000_000, 0]));
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_an_empty_deliver()
    {
        var back = RoundTrip(new Deliver("orders", "billing", [], []));
        Assert.Empty(back.Messages);
        Assert.Empty(back.Attempts);
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_ack()
    {
        RoundTrip(new Ack("orders", "billing", [1, 2, 3, 5, 8, 1_000_000_000_000, 7, 0, long.MaxValue]));
        RoundTrip(new Ack("orders", "billing", []));
    }

    [Fact]
    public void Serializer_should_round_trip_transient_messages()
    {
        RoundTrip(new PublishTransient("orders", SampleMessages()));
        RoundTrip(new PublishTransient("orders", []));
        RoundTrip(new TransientDone("orders", "billing", 0));
        RoundTrip(new TransientDone("orders", "billing", int.MaxValue));
        RoundTrip(new TransientAccepted("orders", 10_000));
        RoundTrip(new TransientDemand("orders", 12_345));
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_write_ascending_acks_in_about_a_byte_each()
    {
        var sequences = Enumerable.Range(0, 1000).Select(i => 5_000_000_000L + i).ToImmutableArray();
        var ack = new Ack("orders", "billing", sequences);

        var bytes = Serializer(ack).ToBinary(ack);

        Assert.InRange(bytes.Length, 1000, 1000 + 32);
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_nack()
    {
        RoundTrip(new Nack("orders", "billing", 7, TimeSpan.FromMilliseconds(250), "handler threw: " + Unicode));
        RoundTrip(new Nack("orders", "billing", 0, TimeSpan.Zero, ""));
        RoundTrip(new Nack("orders", "billing", 1, TimeSpan.FromTicks(-1), new string('x', 10_000)));
        RoundTrip(new Nack("orders", "billing", 1, null, "poison", Unprocessable: true));
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_get_topic_info()
    {
        RoundTrip(new GetTopicInfo("orders"));
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_topic_info()
    {
        RoundTrip(new TopicInfo("orders", true, 1000, 900, 101, 12_345_678_901, [SampleSubscriptionInfo(), SampleSubscriptionInfo() with { Name = "audit", Consumers = 0, Filter = null }], "akka.tcp://pubsub@10.0.0.7:4053",
            new TopicRetention(TimeSpan.FromDays(1), 5000)));
        RoundTrip(new TopicInfo("orders", false, 0, 1, 0, 0, [], "", TopicRetention.None));
        RoundTrip(new TopicInfo("orders", true, 5, 1, 5, 500, [], "node", TopicRetention.None, SampleLimits()));
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_configure_topic_with_retention_limits_or_both()
    {
        var retention = new TopicRetention(TimeSpan.FromDays(1), 10);
        RoundTrip(new ConfigureTopic("orders", retention));
        RoundTrip(new ConfigureTopic("orders", null, SampleLimits()));
        RoundTrip(new ConfigureTopic("orders", retention, new TopicLimits(0, 50, TimeSpan.Zero, WhenFull.Refuse)));
        RoundTrip(new TopicConfigured("orders", retention));
        RoundTrip(new TopicConfigured("orders", TopicRetention.None, SampleLimits()));
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_subscription_info()
    {
        RoundTrip(SampleSubscriptionInfo());
        RoundTrip(SampleSubscriptionInfo() with { OldestUnackedAge = TimeSpan.Zero, DeadLetters = null });
    }

    // ---- journal events and snapshot --------------------------------------------------------------------

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_messages_appended()
    {
        RoundTrip(new MessagesAppended(SampleMessages(), [new ProducerRun("producer-1", 1, 10, 3), new ProducerRun(Unicode, 0, 0, 0)]));
        RoundTrip(new MessagesAppended([], []));
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_acks_recorded()
    {
        RoundTrip(new AcksRecorded([new SubscriptionAcks("billing", [3, 1, 2]), new SubscriptionAcks("audit", [])]));
        RoundTrip(new AcksRecorded([]));
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_subscription_added()
    {
        RoundTrip(new SubscriptionAdded("billing", 0, SampleConfig()));
        RoundTrip(new SubscriptionAdded("billing", long.MaxValue, SampleConfig() with { AckDeadline = TimeSpan.MaxValue, Filter = null, OrderedByKey = false }));
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_subscription_removed()
    {
        RoundTrip(new SubscriptionRemoved("billing"));
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_limits_changed()
    {
        RoundTrip(new LimitsChanged(SampleLimits()));
        RoundTrip(new LimitsChanged(new TopicLimits(0, 0, TimeSpan.Zero, WhenFull.Refuse)));
        RoundTrip(new LimitsChanged(new TopicLimits(long.MaxValue, long.MaxValue, TimeSpan.FromDays(3650), WhenFull.Refuse)));
    }

    private static TopicLimits SampleLimits() => new(10L << 30, 1_000_000, TimeSpan.FromDays(7), WhenFull.DropOldest);

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_round_trip_topic_snapshot()
    {
        RoundTrip(new TopicSnapshot(
            1000,
            SampleMessages(),
            [SampleSubscriptionSnapshot(), new SubscriptionSnapshot("audit", 0, [], SampleConfig(), [], [], 0, [])],
            [new ProducerRun("producer-1", 5, 996, 4)],
            [new MessageIdEntry("order-1", 997, Accepted), new MessageIdEntry(Unicode, 998, Accepted.AddSeconds(1))],
            new TopicRetention(TimeSpan.FromHours(6), 100),
            FirstSequence: 990,
            Chunks: [new LogChunk(990, 999, 17, 40, 123_456, Accepted, Accepted.AddSeconds(2)), new LogChunk(1000, 1000, 41, 41, 10, Accepted.AddSeconds(3), Accepted.AddSeconds(3))],
            Limits: new TopicLimits(10L << 30, 0, TimeSpan.FromDays(7), WhenFull.DropOldest)));
        RoundTrip(new TopicSnapshot(0, [], [], [], [], null));
    }

    // ---- details of the format --------------------------------------------------------------------------

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_write_timestamps_as_utc()
    {
        // arrange
        var local = new DateTime(2025, 6, 1, 12, 0, 0, DateTimeKind.Local);
        var message = new TopicMessage(1, local, SmallPayload(), null, null, null);
        var appended = new MessagesAppended([message], []);

        // act
        var back = Deserialize<MessagesAppended>(appended);

        // assert: the same instant, now in UTC
        Assert.Equal(DateTimeKind.Utc, back.Messages[0].Timestamp.Kind);
        Assert.Equal(local.ToUniversalTime(), back.Messages[0].Timestamp);
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_write_default_arrays_as_empty()
    {
        // default(ImmutableArray) throws on use; the receiver gets a usable empty array instead
        var back = Deserialize<Deliver>(new Deliver("orders", "billing", default, default));

        Assert.False(back.Messages.IsDefault);
        Assert.Empty(back.Messages);
        Assert.False(back.Attempts.IsDefault);
        Assert.Empty(back.Attempts);
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_have_a_short_unique_manifest_for_every_wire_message_type()
    {
        // arrange
        var wireTypes = typeof(IPubSubWireMessage).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IPubSubWireMessage).IsAssignableFrom(t))
            .ToList();
        var manifests = PubSub.Manifests;

        var sampled = Samples().Select(s => s.GetType()).ToHashSet();

        // assert
        Assert.All(wireTypes, t => Assert.True(manifests.ContainsKey(t), $"{t.Name} implements IPubSubWireMessage but PubSubSerializer has no manifest for it"));
        Assert.All(wireTypes, t => Assert.True(sampled.Contains(t), $"{t.Name} has no sample in Samples(), so the truncation and corruption tests skip it"));
        Assert.All(manifests.Values, m => Assert.InRange(m.Length, 1, 3));
        Assert.Equal(manifests.Count, manifests.Values.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_refuse_to_serialize_a_type_missing_from_its_table()
    {
        var e = Assert.Throws<ArgumentException>(() => PubSub.ToBinary(new Unlisted()));

        Assert.Contains(nameof(Unlisted), e.Message);
        Assert.Contains("manifest table", e.Message);
    }

    // ---- malformed input --------------------------------------------------------------------------------

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_reject_an_unknown_manifest()
    {
        var e = Assert.Throws<SerializationException>(() => PubSub.FromBinary([1, 2, 3], "ZZZ"));

        Assert.Contains("'ZZZ'", e.Message);
        Assert.Contains("not a known ActorPubSub message", e.Message);
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_name_the_type_and_manifest_of_every_truncation_it_rejects()
    {
        // A protobuf message cut at a field boundary is itself a valid message (its last fields read as absent), so
        // only a cut inside a field is an error; every truncation of the legacy format is (LegacySerializationSpec).
        foreach (var sample in Samples())
        {
            var manifest = PubSub.Manifest(sample);
            var bytes = PubSub.ToBinary(sample);
            for (var length = 0; length < bytes.Length; length++)
            {
                var prefix = bytes.AsSpan(0, length).ToArray();
                try
                {
                    PubSub.FromBinary(prefix, manifest);
                }
                catch (SerializationException e)
                {
                    Assert.Contains(sample.GetType().Name, e.Message);
                    Assert.Contains($"manifest '{manifest}'", e.Message);
                }
            }
        }
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_reject_a_declared_length_larger_than_the_input()
    {
        // the topic (field 1, length-delimited) declares uint.MaxValue bytes: it must fail on the check, not on a 4 GiB allocation
        var e = Assert.Throws<SerializationException>(() => PubSub.FromBinary([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, (byte)'x'], PubSub.Manifest(new GetTopicInfo("o"))));

        Assert.Contains(nameof(GetTopicInfo), e.Message);
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_reject_trailing_bytes_that_are_no_field()
    {
        var message = new GetTopicInfo("orders");
        var bytes = PubSub.ToBinary(message);

        // a 0 byte where the next field's tag would be: field number 0 does not exist
        var e = Assert.Throws<SerializationException>(() => PubSub.FromBinary([.. bytes, 0], PubSub.Manifest(message)));

        Assert.Contains(nameof(GetTopicInfo), e.Message);
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_reject_invalid_utf8()
    {
        // field 1 (the topic), 2 bytes: 0xC3 0x28 is not UTF-8
        var e = Assert.Throws<SerializationException>(() => PubSub.FromBinary([0x0A, 2, 0xC3, 0x28], PubSub.Manifest(new GetTopicInfo("o"))));

        Assert.Contains(nameof(GetTopicInfo), e.Message);
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_skip_fields_it_does_not_know()
    {
        // arrange: what a newer node writes, a Publish with fields this build has no number for
        var publish = new Publish("orders", SmallPayload(), "k", ImmutableDictionary<string, string>.Empty.Add("a", "b"), "id", "p", 3, 2);
        var extra = new MemoryStream();
        var coded = new Google.Protobuf.CodedOutputStream(extra);
        coded.WriteTag(99, Google.Protobuf.WireFormat.WireType.Varint);
        coded.WriteInt64(12345);
        coded.WriteTag(100, Google.Protobuf.WireFormat.WireType.LengthDelimited);
        coded.WriteString("a field added later");
        coded.WriteTag(101, Google.Protobuf.WireFormat.WireType.Fixed64);
        coded.WriteFixed64(7);
        coded.Flush();

        // act
        var back = PubSub.FromBinary([.. PubSub.ToBinary(publish), .. extra.ToArray()], PubSub.Manifest(publish));

        // assert
        AssertEquivalent(publish, back, nameof(Publish));
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_skip_fields_it_does_not_know_inside_nested_messages()
    {
        // arrange: a journal event whose first message carries an unknown field 50 inside its TopicMessage (field 1)
        var appended = new MessagesAppended([new TopicMessage(5, Accepted, SmallPayload(), "k", null, null)], []);
        var message = new ActorPubSub.Serialization.Proto.TopicMessage
        {
            Sequence = 5, Timestamp = Accepted.Ticks, Key = "k",
            Payload = new ActorPubSub.Serialization.Proto.Payload { SerializerId = 1, Manifest = "System.String", Bytes = Google.Protobuf.ByteString.CopyFromUtf8("hello") },
        };
        var inner = new MemoryStream();
        var innerCoded = new Google.Protobuf.CodedOutputStream(inner);
        message.WriteTo(innerCoded);
        innerCoded.WriteTag(50, Google.Protobuf.WireFormat.WireType.Varint);
        innerCoded.WriteBool(true);
        innerCoded.Flush();
        var outer = new MemoryStream();
        var outerCoded = new Google.Protobuf.CodedOutputStream(outer);
        outerCoded.WriteTag(1, Google.Protobuf.WireFormat.WireType.LengthDelimited);
        outerCoded.WriteBytes(Google.Protobuf.ByteString.CopyFrom(inner.ToArray()));
        outerCoded.Flush();

        // act
        var back = PubSub.FromBinary(outer.ToArray(), PubSub.Manifest(appended));

        // assert
        AssertEquivalent(appended, back, nameof(MessagesAppended));
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_use_new_manifests_only()
    {
        // the binary format's manifests are retired, never reused: only the legacy reader may answer to them
        string[] retired = ["P", "PR", "PB", "PRs", "PX", "CX", "SC", "SC2", "SCd", "SD", "SDd", "C", "CR", "CS", "D", "A", "N", "N2",
            "PT", "TD", "GI", "TI", "TI2", "TI3", "SI", "SI2", "SI3", "SK", "SKd", "TC", "TCd", "RD", "RDd",
            "jM", "jA", "jSA", "jSB", "jSR", "jDF", "jDL", "jDC", "jRD", "jCM", "jRC", "sT", "sT2"];

        Assert.Empty(PubSub.Manifests.Values.Intersect(retired));
    }

    [Fact, Trait("Category", "Unit")]
    public void Serializer_should_fail_on_corrupt_input_only_with_serialization_exceptions()
    {
        var random = new Random(471);
        foreach (var sample in Samples())
        {
            var manifest = PubSub.Manifest(sample);
            var original = PubSub.ToBinary(sample);
            for (var round = 0; round < 200; round++)
            {
                // arrange: flip one to three random bytes
                var bytes = (byte[])original.Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);

                // act / assert: a corrupt message may still decode to something, but never fails any other way
                try
                {
                    PubSub.FromBinary(bytes, manifest);
                }
                catch (SerializationException)
                {
                }
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private sealed record Unlisted : IPubSubWireMessage;

    private PubSubSerializer PubSub => (PubSubSerializer)Sys.Serialization.FindSerializerForType(typeof(IPubSubWireMessage));

    private SerializerWithStringManifest Serializer(object message) =>
        Assert.IsType<PubSubSerializer>(Sys.Serialization.FindSerializerFor(message));

    /// <summary>Serializes through the serializer Akka binds, deserializes through Akka by id and manifest.</summary>
    private T Deserialize<T>(T message) where T : class
    {
        var serializer = Serializer(message);
        Assert.Equal(PubSubSerializer.SerializerId, serializer.Identifier);
        var manifest = serializer.Manifest(message);
        var bytes = serializer.ToBinary(message);
        return Assert.IsType<T>(Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest));
    }

    private T RoundTrip<T>(T message) where T : class
    {
        var back = Deserialize(message);
        AssertEquivalent(message, back, typeof(T).Name);
        return back;
    }

    /// <summary>
    /// Field-by-field comparison: records holding ImmutableArray, byte[] or dictionaries compare those by
    /// reference, so record equality would fail every round trip. Names the path of the first difference.
    /// </summary>
    private static void AssertEquivalent(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: expected {expected ?? "null"}, got {actual ?? "null"}");
            return;
        }
        Assert.True(expected.GetType() == actual.GetType(), $"{path}: expected a {expected.GetType().Name}, got a {actual.GetType().Name}");
        switch (expected)
        {
            case DateTime e:
                var a = (DateTime)actual;
                Assert.True(a.Kind == DateTimeKind.Utc, $"{path}: expected a UTC DateTime, got {a.Kind}");
                Assert.True(e.Ticks == a.Ticks, $"{path}: expected {e:O}, got {a:O}");
                return;
            case var _ when expected is string or Enum or TimeSpan or IActorRef || expected.GetType().IsPrimitive:
                Assert.True(Equals(expected, actual), $"{path}: expected {expected}, got {actual}");
                return;
            case byte[] e:
                Assert.True(e.AsSpan().SequenceEqual((byte[])actual), $"{path}: the {e.Length} bytes differ");
                return;
            case IReadOnlyDictionary<string, string> e:
                var d = (IReadOnlyDictionary<string, string>)actual;
                Assert.True(e.Count == d.Count, $"{path}: expected {e.Count} entries, got {d.Count}");
                foreach (var (name, value) in e)
                {
                    Assert.True(d.TryGetValue(name, out var other), $"{path}: the entry '{name}' is missing");
                    Assert.True(value == other, $"{path}[{name}]: expected '{value}', got '{other}'");
                }
                return;
            case IEnumerable e:
                var expectedItems = e.Cast<object?>().ToList();
                var actualItems = ((IEnumerable)actual).Cast<object?>().ToList();
                Assert.True(expectedItems.Count == actualItems.Count, $"{path}: expected {expectedItems.Count} items, got {actualItems.Count}");
                for (var i = 0; i < expectedItems.Count; i++)
                    AssertEquivalent(expectedItems[i], actualItems[i], $"{path}[{i}]");
                return;
            default:
                foreach (var property in expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
                    if (property.GetIndexParameters().Length == 0)
                        AssertEquivalent(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
                return;
        }
    }

    private static Payload SmallPayload() => new(1, "System.String", "hello"u8.ToArray());

    private static SubscriptionInfo SampleSubscriptionInfo() =>
        new("billing", 990, 10, 3, 2, TimeSpan.FromSeconds(30), 10, true, "region IN (\"eu\")", 4, TimeSpan.FromMilliseconds(1234.5), 7, Dropped: 5, TransientDropped: 6);

    private static RetryBackoff SampleBackoff() => new(TimeSpan.FromMilliseconds(150), TimeSpan.FromMinutes(2), 1.5);

    private static SubscriptionConfig SampleConfig() =>
        new(TimeSpan.FromSeconds(30), 10, SampleBackoff(), true, "type = \"" + Unicode + "\"", new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"));

    private static DeliveryFailure SampleFailure() =>
        new("billing", 11, 3, Accepted, Accepted.AddSeconds(2), Accepted.AddSeconds(3), "InvalidOperationException: " + Unicode);

    private static DeadLetterTransfer SampleTransfer() =>
        new(7, 11, 10, Accepted, Accepted.AddMinutes(1), "boom", DeadLetterReason.Unprocessable);

    private static SubscriptionSnapshot SampleSubscriptionSnapshot() =>
        new("billing", 990, [995, 997, 1000], SampleConfig(), [SampleFailure()], [SampleTransfer()], 9, SampleMessages());

    private static ImmutableArray<TopicMessage> SampleMessages() =>
    [
        new TopicMessage(10, Accepted, SmallPayload(), null, null, null),
        new TopicMessage(11, Accepted.AddMilliseconds(3), new Payload(0, "", []), "key-" + Unicode,
            ImmutableDictionary<string, string>.Empty.Add("h", Unicode), "id-11"),
        // backwards in sequence and time, as a redelivery after newer messages
        new TopicMessage(3, Accepted.AddDays(-2), new Payload(-1, Unicode, [1, 2, 3]), "", ImmutableDictionary<string, string>.Empty, ""),
        new TopicMessage(long.MaxValue, DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc), SmallPayload(), null, null, null),
        new TopicMessage(0, DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc), SmallPayload(), null, null, null),
    ];

    /// <summary>One or more instances of every wire message type.</summary>
    private IEnumerable<object> Samples()
    {
        var probe = CreateTestProbe();
        yield return new Publish("orders", SmallPayload());
        yield return new Publish("orders", SmallPayload(), "k", ImmutableDictionary<string, string>.Empty.Add("a", "b"), "id", "p", 3, 2);
        yield return new PublishBatch("orders", [new Publish("orders", SmallPayload(), ProducerId: "p", ProducerSeq: 1, ProducerFloor: 1),
            new Publish("orders", SmallPayload(), "k", null, "id", "p", 2, 1)]);
        yield return new PublishReceipts("orders", [new PublishReceipt("orders", 7, "p", 1, false), new PublishReceipt("orders", 8, "p", 2, true)]);
        yield return new PublishReceipts("orders", [new PublishReceipt("orders", 7, "p", 1, false), new PublishReceipt("orders", 8, "p", 2, true),
            new PublishReceipt("orders", 20, "p", 3, false)]) { Compact = true };
        yield return new PublishReceipt("orders", 12, "p", 3, true);
        yield return new PublishRejected("orders", "p", 3, RejectionCode.TopicFull, "full");
        yield return new CommandRejected("orders", "billing", "Consume", RejectionCode.UnknownSubscription, "no such subscription");
        yield return new CreateSubscription("orders", "billing", StartPosition.Latest, TimeSpan.FromSeconds(30), 5, SampleBackoff(), true, "a = \"b\"");
        yield return new SubscriptionCreated("orders", "billing", 12, false);
        yield return new DeleteSubscription("orders", "billing");
        yield return new SubscriptionDeleted("orders", "billing", true);
        yield return new Consume("orders", "billing", probe.Ref, 10);
        yield return new ConsumerRegistered("orders", "billing");
        yield return new StopConsuming("orders", "billing", probe.Ref);
        yield return new Deliver("orders", "billing", SampleMessages(), [1, 2, 1, 1, 1]);
        yield return new Ack("orders", "billing", [1, 2, 4]);
        yield return new PublishTransient("orders", SampleMessages());
        yield return new TransientDone("orders", "billing", 42);
        yield return new TransientAccepted("orders", 42);
        yield return new TransientDemand("orders", 7);
        yield return new Nack("orders", "billing", 4, TimeSpan.FromSeconds(1), "boom", true);
        yield return new GetTopicInfo("orders");
        yield return new TopicInfo("orders", true, 12, 1, 12, 1200, [SampleSubscriptionInfo()], "akka.tcp://pubsub@host:4053", TopicRetention.None, SampleLimits());
        yield return new Seek("orders", "billing", 5, null);
        yield return new Seek("orders", "billing", null, Accepted);
        yield return new SeekCompleted("orders", "billing", 5);
        yield return new ConfigureTopic("orders", new TopicRetention(TimeSpan.FromDays(1), 10), SampleLimits());
        yield return new TopicConfigured("orders", new TopicRetention(TimeSpan.FromDays(1), 10), SampleLimits());
        yield return new RedriveMessages("orders", "billing", SampleMessages());
        yield return new MessagesRedriven("orders", "billing", [3, 10, 11]);
        yield return new ActorPubSub.Remoting.DirectSendFence(42);
        yield return SampleSubscriptionInfo();
        yield return new MessagesAppended(SampleMessages(), [new ProducerRun("p", 1, 10, 2)]);
        yield return new AcksRecorded([new SubscriptionAcks("billing", [1, 3]), new SubscriptionAcks("audit", [])]);
        yield return new SubscriptionAdded("billing", 0, SampleConfig());
        yield return new SubscriptionRemoved("billing");
        yield return new DeliveriesFailed([SampleFailure(), SampleFailure() with { Subscription = "audit" }]);
        yield return new MessagesDeadLettered("billing", [SampleTransfer(), SampleTransfer() with { Id = 8, Reason = DeadLetterReason.MaxDeliveryAttempts }]);
        yield return new DeadLettersConfirmed("billing", 8);
        yield return new RedriveRecorded("billing", SampleMessages());
        yield return new CursorMoved("billing", 3);
        yield return new RetentionChanged(new TopicRetention(TimeSpan.FromHours(1), 50));
        yield return new LogTruncated(4711);
        yield return new LimitsChanged(SampleLimits());
        yield return new TopicSnapshot(12, SampleMessages(), [SampleSubscriptionSnapshot()], [new ProducerRun("p", 1, 10, 2)],
            [new MessageIdEntry("m", 11, Accepted)], TopicRetention.None);
    }
}
