using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using ActorPubSub.DeadLetters;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;
using static ActorPubSub.Tests.DeadLetters.DeadLetterSamples;

namespace ActorPubSub.Tests.Serialization;

/// <summary>
/// One or more instances of every persisted type (topic events, <see cref="TopicSnapshot"/>, dead-letter events,
/// <see cref="DeadLetterSnapshot"/>), by name. Fixtures/legacy-samples.txt holds these as the pre-protobuf
/// serializers wrote them; the legacy reader must decode each line back to the instance of the same name.
/// </summary>
internal static class LegacySamples
{
    private static readonly DateTime Accepted = new(2025, 11, 27, 5, 15, 42, 123, DateTimeKind.Utc);
    private static readonly Guid Incarnation = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

    /// <summary>The checked-in fixture file <paramref name="name"/> (found beside this source file, not in the build output).</summary>
    public static string FixturePath(string name, [CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "Fixtures", name);

    public static IReadOnlyList<(string Name, object Value)> All { get; } =
    [
        ("messages-appended", new MessagesAppended(Messages(), [new ProducerRun("producer-1", 1, 10, 3), new ProducerRun(Unicode, 0, 0, 0)])),
        ("messages-appended-empty", new MessagesAppended([], [])),
        ("acks-recorded", new AcksRecorded([new SubscriptionAcks("billing", [3, 1, 2, long.MaxValue]), new SubscriptionAcks("audit", [])])),
        ("subscription-added", new SubscriptionAdded("billing", 990, Config())),
        ("subscription-added-plain", new SubscriptionAdded("audit", 0, Config() with { Filter = null, OrderedByKey = false, AckDeadline = TimeSpan.MaxValue })),
        ("subscription-added-empty-filter", new SubscriptionAdded("audit", 1, Config() with { Filter = "" })),
        ("subscription-removed", new SubscriptionRemoved("billing")),
        ("deliveries-failed", new DeliveriesFailed([Failure(), Failure() with { Subscription = "audit", Attempts = 1 }])),
        ("messages-dead-lettered", new MessagesDeadLettered("billing", [Transfer(), Transfer() with { Id = 8, Reason = DeadLetterReason.MaxDeliveryAttempts }])),
        ("dead-letters-confirmed", new DeadLettersConfirmed("billing", 8)),
        ("redrive-recorded", new RedriveRecorded("billing", Messages())),
        ("cursor-moved", new CursorMoved("billing", 3)),
        ("retention-changed", new RetentionChanged(new TopicRetention(TimeSpan.FromHours(1), 50))),
        ("retention-changed-none", new RetentionChanged(TopicRetention.None)),
        ("topic-snapshot", new TopicSnapshot(1000, Messages(),
            [new SubscriptionSnapshot("billing", 990, [995, 997, 1000], Config(), [Failure()], [Transfer()], 9, Messages()),
             new SubscriptionSnapshot("audit", 0, [], Config() with { Filter = null }, [], [], 0, [])],
            [new ProducerRun("producer-1", 5, 996, 4)],
            [new MessageIdEntry("order-1", 997, Accepted), new MessageIdEntry(Unicode, 998, Accepted.AddSeconds(1))],
            new TopicRetention(TimeSpan.FromHours(6), 100))),
        ("topic-snapshot-empty", new TopicSnapshot(0, [], [], [], [], null)),
        ("dead-letters-added", new DeadLettersAdded(Incarnation, [Letter(7, 70), FullLetter(8, 3)])),
        ("dead-letters-removed", new DeadLettersRemoved([70, 3, 1000], DeadLetterRemoval.Redriven)),
        ("dead-letters-removed-purged", new DeadLettersRemoved([], DeadLetterRemoval.Purged)),
        ("dead-letter-snapshot", new DeadLetterSnapshot(
            [new DeadLetterIncarnation(Incarnation, 8), new DeadLetterIncarnation(Guid.Parse("3b2f5c4e-1d7a-4c1b-9e55-0a1b2c3d4e5f"), 0)],
            [FullLetter(8, 3), Letter(7, 70)])),
        ("dead-letter-snapshot-empty", new DeadLetterSnapshot([], [])),
    ];

    private static SubscriptionConfig Config() =>
        new(TimeSpan.FromSeconds(30), 10, new RetryBackoff(TimeSpan.FromMilliseconds(150), TimeSpan.FromMinutes(2), 1.5), true,
            "type = \"" + Unicode + "\"", Incarnation);

    private static DeliveryFailure Failure() =>
        new("billing", 11, 3, Accepted, Accepted.AddSeconds(2), Accepted.AddSeconds(3), "InvalidOperationException: " + Unicode);

    private static DeadLetterTransfer Transfer() =>
        new(7, 11, 10, Accepted, Accepted.AddMinutes(1), "boom", DeadLetterReason.Unprocessable);

    private static ImmutableArray<TopicMessage> Messages() =>
    [
        new TopicMessage(10, Accepted, new Payload(1, "System.String", "hello"u8.ToArray()), null, null, null),
        new TopicMessage(11, Accepted.AddMilliseconds(3), new Payload(0, "", []), "key-" + Unicode,
            ImmutableDictionary<string, string>.Empty.Add("h", Unicode), "id-11"),
        // backwards in sequence and time, as a redelivery after newer messages; empty (not null) optional fields
        new TopicMessage(3, Accepted.AddDays(-2), new Payload(-1, Unicode, [1, 2, 3]), "", ImmutableDictionary<string, string>.Empty, ""),
        new TopicMessage(long.MaxValue, DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc), new Payload(1, "x", [9]), null, null, null),
        new TopicMessage(0, DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc), new Payload(1, "x", [8]), null, null, null),
    ];
}
