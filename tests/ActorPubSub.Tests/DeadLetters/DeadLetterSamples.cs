using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using System.Text;
using Akka.Actor;
using ActorPubSub.DeadLetters;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.DeadLetters;

/// <summary>Letters for the dead-letter specs, and a structural comparison for what went through a serializer.</summary>
internal static class DeadLetterSamples
{
    public static readonly DateTime FirstFailure = new(2025, 11, 27, 5, 15, 42, 123, DateTimeKind.Utc);

    public const string Unicode = "zürich-東京-🚀-ŝŭ";

    /// <summary>Letter <paramref name="id"/> holding message <paramref name="sequence"/> (payload "m{sequence}").</summary>
    public static DeadLetter Letter(long id, long sequence, string error = "InvalidOperationException: bad total", int payloadBytes = 0) =>
        new(id,
            new TopicMessage(sequence, FirstFailure.AddTicks(-(sequence & 0xFFFFFF)),
                new Payload(1, "System.String", payloadBytes > 0 ? new byte[payloadBytes] : Encoding.UTF8.GetBytes($"m{sequence}")),
                null, null, null),
            Attempts: 5,
            FirstFailure: FirstFailure,
            LastFailure: FirstFailure.AddMinutes(1),
            LastError: error,
            Reason: DeadLetterReason.MaxDeliveryAttempts);

    /// <summary>Letters with ids <paramref name="firstId"/>.. holding the given sequences in order.</summary>
    public static ImmutableArray<DeadLetter> Letters(long firstId, params long[] sequences) =>
        [.. sequences.Select((sequence, i) => Letter(firstId + i, sequence))];

    /// <summary>A letter with every optional field of its message set.</summary>
    public static DeadLetter FullLetter(long id, long sequence) =>
        new(id,
            new TopicMessage(sequence, FirstFailure, new Payload(-7, Unicode, [0, 255, 3]), "key-" + Unicode,
                ImmutableDictionary<string, string>.Empty.Add("trace", Unicode).Add("empty", ""), "id-" + sequence),
            Attempts: 1,
            FirstFailure: FirstFailure,
            LastFailure: FirstFailure,
            LastError: "handler declared it unprocessable: " + Unicode,
            Reason: DeadLetterReason.Unprocessable);

    /// <summary>
    /// Field-by-field comparison: records holding ImmutableArray, byte[] or dictionaries compare those by
    /// reference, so record equality fails after a round trip. Names the path of the first difference.
    /// </summary>
    public static void AssertEquivalent(object? expected, object? actual, string path = "value")
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
                Assert.True(e.Ticks == a.Ticks, $"{path}: expected {e:O}, got {a:O}");
                return;
            case var _ when expected is string or Enum or TimeSpan or Guid or IActorRef || expected.GetType().IsPrimitive:
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
}
