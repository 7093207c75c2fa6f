using System.Runtime.Serialization;
using ActorPubSub.DeadLetters;
using ActorPubSub.Hosting;
using ActorPubSub.Serialization;
using Xunit.Abstractions;
using static ActorPubSub.Tests.DeadLetters.DeadLetterSamples;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.DeadLetters;

/// <summary>DeadLetterSerializer: bound by reference.conf, a round trip for every type, strict reads.</summary>
[Trait("Category", "Unit")]
public sealed class DeadLetterSerializerSpec(ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(PubSubConfig.Default, nameof(DeadLetterSerializerSpec), output)
{
    private static readonly Guid Incarnation = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

    // ---- round trips ------------------------------------------------------------------------------------

    [Fact]
    public void Serializer_should_be_bound_to_every_dead_letter_message_by_reference_conf()
    {
        foreach (var sample in Samples())
        {
            var serializer = Sys.Serialization.FindSerializerFor(sample);
            Assert.True(serializer is DeadLetterSerializer, $"{sample.GetType().Name} is serialized by {serializer.GetType().Name}");
            Assert.Equal(472, serializer.Identifier);
        }
    }

    [Fact]
    public void Serializer_should_round_trip_every_sample()
    {
        foreach (var sample in Samples()) RoundTrip(sample);
    }

    [Fact]
    public void Serializer_should_round_trip_store_dead_letters()
    {
        RoundTrip(new StoreDeadLetters("orders", "billing", Incarnation, [Letter(1, 10), FullLetter(2, 7), Letter(3, long.MaxValue)]));
        RoundTrip(new StoreDeadLetters("orders", "billing", Guid.Empty, []));
        RoundTrip(new StoreDeadLetters("orders", "billing", Incarnation,
            [Letter(long.MaxValue, 1), Letter(0, 0), Letter(-1, 2) with { Attempts = -3, Reason = (DeadLetterReason)99 }]));
    }

    [Fact]
    public void Serializer_should_round_trip_queries_and_their_answers()
    {
        RoundTrip(new ListDeadLetters("orders", "billing", 0, 100));
        // out-of-range values arrive unchanged, for the store to refuse with a reason
        RoundTrip(new ListDeadLetters("orders", "billing", long.MinValue, -1));
        RoundTrip(new ListDeadLetters("orders", "billing", long.MaxValue, int.MaxValue));
        RoundTrip(new DeadLetterPage("orders", "billing", [Letter(4, 1), FullLetter(5, 2)], 17, 2));
        RoundTrip(new DeadLetterPage("orders", "billing", [], 0, null));
        RoundTrip(new DeadLetterPage("orders", "billing", [Letter(1, 1)], 1, long.MinValue));
        RoundTrip(new GetDeadLetter("orders", "billing", 42));
        RoundTrip(new GetDeadLetter("orders", "billing", -42));
        RoundTrip(new DeadLetterFound("orders", "billing", 42, FullLetter(9, 42)));
        RoundTrip(new DeadLetterFound("orders", "billing", 43, null));
    }

    [Fact]
    public void Serializer_should_round_trip_redrive_and_purge()
    {
        RoundTrip(new RedriveDeadLetters("orders", "billing", [3, 1, 2, long.MaxValue]));
        RoundTrip(new RedriveDeadLetters("orders", "billing", []));
        RoundTrip(new DeadLettersRedriven("orders", "billing", 3, [99, 98]));
        RoundTrip(new DeadLettersRedriven("orders", "billing", 0, []));
        RoundTrip(new PurgeDeadLetters("orders", "billing", [5]));
        RoundTrip(new PurgeDeadLetters("orders", "billing", []));
        RoundTrip(new DeadLettersPurged("orders", "billing", 1, [6]));
        RoundTrip(new DeadLettersStored("orders", "billing", Incarnation, 12));
        RoundTrip(new DeadLetterCount("orders", "billing", 12));
        RoundTrip(new DeadLetterCount("orders", "billing", 0));
    }

    [Fact]
    public void Serializer_should_round_trip_journal_events_and_snapshot()
    {
        RoundTrip(new DeadLettersAdded(Incarnation, [Letter(7, 70), FullLetter(8, 3)]));
        RoundTrip(new DeadLettersRemoved([70, 3, 1000], DeadLetterRemoval.Redriven));
        RoundTrip(new DeadLettersRemoved([], DeadLetterRemoval.Purged));
        RoundTrip(new DeadLetterSnapshot(
            [new DeadLetterIncarnation(Incarnation, 8), new DeadLetterIncarnation(Guid.NewGuid(), 0)],
            [FullLetter(8, 3), Letter(7, 70)]));
        RoundTrip(new DeadLetterSnapshot([], []));
        // letters paged to the journal: the snapshot holds where each is, beside the bodies of an older snapshot
        RoundTrip(new DeadLetterSnapshot([new DeadLetterIncarnation(Incarnation, 9)], [Letter(7, 70)],
            [new DeadLetterIndexEntry(3, 8, 12, 4096, 40), new DeadLetterIndexEntry(long.MaxValue, 9, 13, 0, 0)]));
    }

    [Fact]
    public void Serializer_should_write_default_arrays_as_empty()
    {
        var back = Deserialize(new DeadLetterSnapshot(default, default));

        Assert.False(back.Incarnations.IsDefault);
        Assert.False(back.Letters.IsDefault);
        Assert.Empty(back.Letters);
    }

    [Fact]
    public void Serializer_should_write_failure_times_as_utc()
    {
        // arrange
        var local = new DateTime(2025, 6, 1, 12, 0, 0, DateTimeKind.Local);
        var letter = Letter(1, 1) with { FirstFailure = local, LastFailure = local };

        // act
        var back = Deserialize(new DeadLettersAdded(Incarnation, [letter])).Letters[0];

        // assert: the same instant, now in UTC
        Assert.Equal((DateTimeKind.Utc, local.ToUniversalTime()), (back.FirstFailure.Kind, back.FirstFailure));
        Assert.Equal(DateTimeKind.Utc, back.LastFailure.Kind);
    }

    // ---- the manifest table -----------------------------------------------------------------------------

    [Fact]
    public void Serializer_should_have_a_short_unique_manifest_for_every_dead_letter_wire_type()
    {
        // arrange
        var wireTypes = typeof(IDeadLetterWireMessage).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IDeadLetterWireMessage).IsAssignableFrom(t))
            .ToList();
        var manifests = DeadLetters.Manifests;
        var sampled = Samples().Select(s => s.GetType()).ToHashSet();

        // assert
        Assert.NotEmpty(wireTypes);
        Assert.All(wireTypes, t => Assert.True(manifests.ContainsKey(t), $"{t.Name} implements IDeadLetterWireMessage but DeadLetterSerializer has no manifest for it"));
        Assert.All(wireTypes, t => Assert.True(sampled.Contains(t), $"{t.Name} has no sample in Samples(), so the truncation and corruption tests skip it"));
        Assert.All(manifests.Values, m => Assert.InRange(m.Length, 1, 3));
        Assert.Equal(manifests.Count, manifests.Values.Distinct(StringComparer.Ordinal).Count());
        // no type is claimed by both ActorPubSub serializers
        Assert.DoesNotContain(wireTypes, t => typeof(IPubSubWireMessage).IsAssignableFrom(t));
    }

    [Fact]
    public void Serializer_should_refuse_to_serialize_a_type_missing_from_its_table()
    {
        var e = Assert.Throws<ArgumentException>(() => DeadLetters.ToBinary(new Unlisted()));

        Assert.Contains(nameof(Unlisted), e.Message);
        Assert.Contains("manifest table", e.Message);
    }

    // ---- malformed input --------------------------------------------------------------------------------

    [Fact]
    public void Serializer_should_reject_an_unknown_manifest()
    {
        var e = Assert.Throws<SerializationException>(() => DeadLetters.FromBinary([1, 2, 3], "ZZZ"));

        Assert.Contains("'ZZZ'", e.Message);
        Assert.Contains("not a known ActorPubSub dead-letter message", e.Message);
    }

    [Fact]
    public void Serializer_should_reject_trailing_bytes_that_are_no_field_after_every_message()
    {
        foreach (var sample in Samples())
        {
            var manifest = DeadLetters.Manifest(sample);
            // a 0 byte where the next field's tag would be: field number 0 does not exist
            byte[] bytes = [.. DeadLetters.ToBinary(sample), 0];

            var e = Assert.Throws<SerializationException>(() => DeadLetters.FromBinary(bytes, manifest));

            Assert.Contains(sample.GetType().Name, e.Message);
        }
    }

    [Fact]
    public void Serializer_should_name_the_type_and_manifest_of_every_truncation_it_rejects()
    {
        // A protobuf message cut at a field boundary is itself a valid message, so only a cut inside a field is an
        // error; every truncation of the legacy format is (LegacySerializationSpec).
        foreach (var sample in Samples())
        {
            var manifest = DeadLetters.Manifest(sample);
            var bytes = DeadLetters.ToBinary(sample);
            for (var length = 0; length < bytes.Length; length++)
            {
                var prefix = bytes.AsSpan(0, length).ToArray();
                try
                {
                    DeadLetters.FromBinary(prefix, manifest);
                }
                catch (SerializationException e)
                {
                    Assert.Contains(sample.GetType().Name, e.Message);
                    Assert.Contains($"manifest '{manifest}'", e.Message);
                }
            }
        }
    }

    [Fact]
    public void Serializer_should_reject_a_guid_that_is_not_16_bytes()
    {
        // arrange: DeadLettersStored whose incarnation (field 3) holds 3 bytes
        byte[] bytes = [0x0A, 1, (byte)'o', 0x12, 1, (byte)'s', 0x1A, 3, 1, 2, 3, 0x20, 5];

        // act
        var e = Assert.Throws<SerializationException>(() => DeadLetters.FromBinary(bytes, DeadLetters.Manifest(new DeadLettersStored("o", "s", Incarnation, 5))));

        // assert
        Assert.Contains("DeadLettersStored.incarnation", e.Message);
        Assert.Contains("16 bytes", e.Message);
    }

    [Fact]
    public void Serializer_should_read_at_most_one_letter_into_a_found_answer()
    {
        // arrange: a DeadLetterFound with its letter field twice (protobuf merges a repeated singular field)
        var found = new DeadLetterFound("orders", "billing", 7, FullLetter(2, 7));
        var bytes = DeadLetters.ToBinary(found);
        var letterOnly = DeadLetters.ToBinary(new DeadLetterFound("", "", 0, Letter(3, 8)));

        // act
        var back = (DeadLetterFound)DeadLetters.FromBinary([.. bytes, .. letterOnly], DeadLetters.Manifest(found));

        // assert: one letter, never two
        Assert.NotNull(back.Letter);
        Assert.Equal(3, back.Letter.Id);
    }

    [Fact]
    public void Serializer_should_fail_on_corrupt_input_only_with_serialization_exceptions()
    {
        var random = new Random(472);
        foreach (var sample in Samples())
        {
            var manifest = DeadLetters.Manifest(sample);
            var original = DeadLetters.ToBinary(sample);
            for (var round = 0; round < 200; round++)
            {
                // arrange: flip one to three random bytes
                var bytes = (byte[])original.Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);

                // act / assert: a corrupt message may still decode to something, but never fails any other way
                try
                {
                    DeadLetters.FromBinary(bytes, manifest);
                }
                catch (SerializationException)
                {
                }
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private sealed record Unlisted : IDeadLetterWireMessage;

    private DeadLetterSerializer DeadLetters => (DeadLetterSerializer)Sys.Serialization.FindSerializerForType(typeof(IDeadLetterWireMessage));

    /// <summary>Serializes through the serializer Akka binds, deserializes through Akka by id and manifest.</summary>
    private T Deserialize<T>(T message) where T : class
    {
        var serializer = Assert.IsType<DeadLetterSerializer>(Sys.Serialization.FindSerializerFor(message));
        var manifest = serializer.Manifest(message);
        var bytes = serializer.ToBinary(message);
        var back = Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest);
        Assert.IsType(message.GetType(), back);
        return (T)back;
    }

    private void RoundTrip(object message) => AssertEquivalent(message, Deserialize(message), message.GetType().Name);

    /// <summary>One or more instances of every dead-letter wire type.</summary>
    private static IEnumerable<object> Samples()
    {
        yield return new StoreDeadLetters("orders", "billing", Incarnation, [Letter(1, 10), FullLetter(2, 7)]);
        yield return new DeadLettersStored("orders", "billing", Incarnation, 2);
        yield return new DeadLetterCount("orders", "billing", 3);
        yield return new ListDeadLetters("orders", "billing", 7, 100);
        yield return new DeadLetterPage("orders", "billing", [FullLetter(2, 7), Letter(1, 10)], 2, 10);
        yield return new DeadLetterPage("orders", "billing", [], 0, null);
        yield return new GetDeadLetter("orders", "billing", 7);
        yield return new DeadLetterFound("orders", "billing", 7, FullLetter(2, 7));
        yield return new DeadLetterFound("orders", "billing", 8, null);
        yield return new RedriveDeadLetters("orders", "billing", [7, 10]);
        yield return new DeadLettersRedriven("orders", "billing", 1, [11]);
        yield return new PurgeDeadLetters("orders", "billing", []);
        yield return new DeadLettersPurged("orders", "billing", 2, []);
        yield return new DeadLettersAdded(Incarnation, [Letter(3, 12)]);
        yield return new DeadLettersRemoved([7, 10], DeadLetterRemoval.Redriven);
        yield return new DeadLetterSnapshot([new DeadLetterIncarnation(Incarnation, 3)], [FullLetter(2, 7), Letter(3, 12)]);
    }
}
