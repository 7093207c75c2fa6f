using System.Runtime.Serialization;
using ActorPubSub.DeadLetters;
using ActorPubSub.Hosting;
using ActorPubSub.Serialization;
using ActorPubSub.Topics;
using Xunit.Abstractions;
using static ActorPubSub.Tests.DeadLetters.DeadLetterSamples;

namespace ActorPubSub.Tests.Serialization;

/// <summary>
/// The binary format before protobuf, which stored journals and snapshots still hold: Fixtures/legacy-samples.txt
/// (written by that format's serializers) decodes to <see cref="LegacySamples"/>, and its reader stays strict.
/// </summary>
[Trait("Category", "Unit")]
public sealed class LegacySerializationSpec(ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(PubSubConfig.Default, nameof(LegacySerializationSpec), output)
{
    [Fact]
    public void Legacy_samples_should_decode_to_the_records_that_were_written()
    {
        // arrange
        var expected = LegacySamples.All.ToDictionary(s => s.Name, s => s.Value);
        var lines = ReadSamples();

        // assert: one line per sample, each decoding through Akka (by serializer id and legacy manifest) to its record
        Assert.Equal(expected.Keys.Order(), lines.Select(l => l.Name).Order());
        foreach (var (name, serializerId, manifest, bytes) in lines)
        {
            var back = Sys.Serialization.Deserialize(bytes, serializerId, manifest);
            AssertEquivalent(expected[name], back, name);
        }
    }

    [Fact]
    public void Legacy_reader_should_cover_every_persisted_type()
    {
        // arrange: what topics and dead-letter stores persisted in the old format (events added since never were)
        var assembly = typeof(ITopicEvent).Assembly;
        Type[] newerThanTheOldFormat = [typeof(LogTruncated), typeof(LimitsChanged)];
        var topicTypes = assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ITopicEvent).IsAssignableFrom(t))
            .Append(typeof(TopicSnapshot)).Except(newerThanTheOldFormat).ToList();
        var deadLetterTypes = assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IDeadLetterEvent).IsAssignableFrom(t))
            .Append(typeof(DeadLetterSnapshot)).ToList();
        var sampled = LegacySamples.All.Select(s => s.Value.GetType()).ToHashSet();

        // assert
        Assert.All(topicTypes, t => Assert.Contains(t, Serializer<PubSubSerializer>().LegacyManifests.Values));
        Assert.All(deadLetterTypes, t => Assert.Contains(t, Serializer<DeadLetterSerializer>().LegacyManifests.Values));
        Assert.All(topicTypes.Concat(deadLetterTypes), t => Assert.True(sampled.Contains(t), $"{t.Name} has no legacy sample"));
    }

    [Fact]
    public void Legacy_reader_should_reject_every_truncation_of_every_sample()
    {
        foreach (var (name, serializerId, manifest, bytes) in ReadSamples())
        {
            var serializer = SerializerById(serializerId);
            var type = LegacySamples.All.Single(s => s.Name == name).Value.GetType();
            for (var length = 0; length < bytes.Length; length++)
            {
                var prefix = bytes.AsSpan(0, length).ToArray();
                var e = Assert.Throws<SerializationException>(() => serializer.FromBinary(prefix, manifest));
                Assert.Contains(type.Name, e.Message);
                Assert.Contains($"manifest '{manifest}'", e.Message);
            }
        }
    }

    [Fact]
    public void Legacy_reader_should_name_the_field_it_was_reading_when_input_ends()
    {
        // arrange
        var (_, serializerId, manifest, bytes) = ReadSamples().Single(l => l.Name == "cursor-moved");

        // act: drop the final byte, the sequence
        var e = Assert.Throws<SerializationException>(() => Sys.Serialization.Deserialize(bytes[..^1], serializerId, manifest));

        // assert
        Assert.Contains("Truncated", e.Message);
        Assert.Contains("CursorMoved.Sequence", e.Message);
    }

    [Fact]
    public void Legacy_reader_should_reject_trailing_bytes()
    {
        foreach (var (_, serializerId, manifest, bytes) in ReadSamples())
        {
            var e = Assert.Throws<SerializationException>(() => Sys.Serialization.Deserialize([.. bytes, 0], serializerId, manifest));

            Assert.Contains("1 unexpected byte(s)", e.Message);
        }
    }

    [Fact]
    public void Legacy_reader_should_reject_an_unknown_journal_format_version()
    {
        foreach (var (name, serializerId, manifest, bytes) in ReadSamples())
        {
            // arrange
            Assert.Equal(1, bytes[0]);
            bytes[0] = 2;

            // act
            var e = Assert.Throws<SerializationException>(() => Sys.Serialization.Deserialize(bytes, serializerId, manifest));

            // assert
            Assert.Contains(LegacySamples.All.Single(s => s.Name == name).Value.GetType().Name, e.Message);
            Assert.Contains("version 2", e.Message);
            Assert.Contains("reads only version 1", e.Message);
        }
    }

    [Fact]
    public void Legacy_reader_should_reject_a_declared_count_larger_than_the_input()
    {
        // arrange: a MessagesAppended whose message count no input of this size could hold
        using var writer = new LegacyWireWriter();
        writer.WriteByte(1);
        writer.WriteVarUInt32(100_000_000);
        writer.WriteByte(0);

        // act
        var e = Assert.Throws<SerializationException>(() => Sys.Serialization.Deserialize(writer.ToArray(), PubSubSerializer.SerializerId, "jM"));

        // assert
        Assert.Contains("MessagesAppended.Messages", e.Message);
        Assert.Contains("declares 100000000 item(s)", e.Message);
    }

    [Fact]
    public void Legacy_reader_should_fail_on_corrupt_input_only_with_serialization_exceptions()
    {
        var random = new Random(471);
        foreach (var (_, serializerId, manifest, original) in ReadSamples())
        {
            var serializer = SerializerById(serializerId);
            for (var round = 0; round < 200; round++)
            {
                // arrange: flip one to three random bytes
                var bytes = (byte[])original.Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);

                // act / assert: a corrupt message may still decode to something, but never fails any other way
                try
                {
                    serializer.FromBinary(bytes, manifest);
                }
                catch (SerializationException)
                {
                }
            }
        }
    }

    private T Serializer<T>() where T : ProtobufSerializer =>
        (T)SerializerById(typeof(T) == typeof(PubSubSerializer) ? PubSubSerializer.SerializerId : DeadLetterSerializer.SerializerId);

    private ProtobufSerializer SerializerById(int id) => (ProtobufSerializer)Sys.Serialization.FindSerializerForType(
        id == PubSubSerializer.SerializerId ? typeof(Messages.IPubSubWireMessage) : typeof(Messages.IDeadLetterWireMessage));

    private static List<(string Name, int SerializerId, string Manifest, byte[] Bytes)> ReadSamples() =>
    [
        .. File.ReadAllLines(LegacySamples.FixturePath("legacy-samples.txt"))
            .Where(line => line.Length > 0)
            .Select(line => line.Split('\t'))
            .Select(f => (f[0], int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture), f[2], Convert.FromBase64String(f[3]))),
    ];
}
