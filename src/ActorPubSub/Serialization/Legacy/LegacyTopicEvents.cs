using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;
using static ActorPubSub.Serialization.Legacy.LegacyFormat;

namespace ActorPubSub.Serialization.Legacy;

/// <summary>
/// Reads the topic journal events and snapshots stored before protobuf (serializer 471, format version 1), so
/// topics persisted by older versions recover. Read-only: nothing writes this format any more.
/// </summary>
internal static class LegacyTopicEvents
{
    /// <summary>The manifests of the stored topic types in the legacy format. Never reuse one.</summary>
    public static IEnumerable<ManifestEntry> Entries =>
    [
        Entry("jM", (ref LegacyWireReader r) => new MessagesAppended(
            Messages: ReadMessages(ref r, "MessagesAppended.Messages"),
            Producers: ReadArray(ref r, "MessagesAppended.Producers", minBytesPerItem: 4, ReadProducerRun))),
        Entry("jA", (ref LegacyWireReader r) => new AcksRecorded(
            ReadArray(ref r, "AcksRecorded.Acks", minBytesPerItem: 2, ReadSubscriptionAcks))),
        Entry("jSB", (ref LegacyWireReader r) => new SubscriptionAdded(
            Subscription: r.ReadString("SubscriptionAdded.Subscription"),
            Watermark: r.ReadNonNegativeInt64("SubscriptionAdded.Watermark"),
            Config: ReadSubscriptionConfig(ref r))),
        Entry("jSR", (ref LegacyWireReader r) => new SubscriptionRemoved(r.ReadString("SubscriptionRemoved.Subscription"))),
        Entry("jDF", (ref LegacyWireReader r) => new DeliveriesFailed(
            ReadArray(ref r, "DeliveriesFailed.Failures", minBytesPerItem: 28, ReadDeliveryFailure))),
        Entry("jDL", (ref LegacyWireReader r) => new MessagesDeadLettered(
            Subscription: r.ReadString("MessagesDeadLettered.Subscription"),
            Transfers: ReadArray(ref r, "MessagesDeadLettered.Transfers", minBytesPerItem: 21, ReadTransfer))),
        Entry("jDC", (ref LegacyWireReader r) => new DeadLettersConfirmed(
            Subscription: r.ReadString("DeadLettersConfirmed.Subscription"),
            UpToId: r.ReadNonNegativeInt64("DeadLettersConfirmed.UpToId"))),
        Entry("jRD", (ref LegacyWireReader r) => new RedriveRecorded(
            Subscription: r.ReadString("RedriveRecorded.Subscription"),
            Messages: ReadMessages(ref r, "RedriveRecorded.Messages"))),
        Entry("jCM", (ref LegacyWireReader r) => new CursorMoved(
            Subscription: r.ReadString("CursorMoved.Subscription"),
            Sequence: r.ReadNonNegativeInt64("CursorMoved.Sequence"))),
        Entry("jRC", (ref LegacyWireReader r) => new RetentionChanged(ReadRetention(ref r))),
        Entry("sT2", (ref LegacyWireReader r) => new TopicSnapshot(
            LastSequence: r.ReadNonNegativeInt64("TopicSnapshot.LastSequence"),
            Retained: ReadMessages(ref r, "TopicSnapshot.Retained"),
            Subscriptions: ReadArray(ref r, "TopicSnapshot.Subscriptions", minBytesPerItem: 8, ReadSubscriptionSnapshot),
            Producers: ReadArray(ref r, "TopicSnapshot.Producers", minBytesPerItem: 4, ReadProducerRun),
            MessageIds: ReadArray(ref r, "TopicSnapshot.MessageIds", minBytesPerItem: 10, ReadMessageIdEntry),
            Retention: r.ReadBool("TopicSnapshot.Retention") ? ReadRetention(ref r) : null)),
    ];

    private static ProducerRun ReadProducerRun(ref LegacyWireReader r) => new(
        ProducerId: r.ReadString("ProducerRun.ProducerId"),
        FirstProducerSeq: r.ReadNonNegativeInt64("ProducerRun.FirstProducerSeq"),
        FirstSequence: r.ReadNonNegativeInt64("ProducerRun.FirstSequence"),
        Count: r.ReadNonNegativeInt32("ProducerRun.Count"));

    private static SubscriptionAcks ReadSubscriptionAcks(ref LegacyWireReader r) => new(
        Subscription: r.ReadString("SubscriptionAcks.Subscription"),
        Sequences: r.ReadInt64ArrayDelta("SubscriptionAcks.Sequences"));

    private static SubscriptionSnapshot ReadSubscriptionSnapshot(ref LegacyWireReader r) => new(
        Name: r.ReadString("SubscriptionSnapshot.Name"),
        Watermark: r.ReadNonNegativeInt64("SubscriptionSnapshot.Watermark"),
        AckedAbove: r.ReadInt64ArrayDelta("SubscriptionSnapshot.AckedAbove"),
        Config: ReadSubscriptionConfig(ref r),
        Failures: ReadArray(ref r, "SubscriptionSnapshot.Failures", minBytesPerItem: 28, ReadDeliveryFailure),
        Transfers: ReadArray(ref r, "SubscriptionSnapshot.Transfers", minBytesPerItem: 21, ReadTransfer),
        LastTransferId: r.ReadNonNegativeInt64("SubscriptionSnapshot.LastTransferId"),
        Redriven: ReadMessages(ref r, "SubscriptionSnapshot.Redriven"));

    private static SubscriptionConfig ReadSubscriptionConfig(ref LegacyWireReader r) => new(
        AckDeadline: r.ReadTimeSpan("SubscriptionConfig.AckDeadline"),
        MaxDeliveryAttempts: r.ReadNonNegativeInt32("SubscriptionConfig.MaxDeliveryAttempts"),
        Backoff: new RetryBackoff(
            Min: r.ReadTimeSpan("RetryBackoff.Min"),
            Max: r.ReadTimeSpan("RetryBackoff.Max"),
            Factor: BitConverter.Int64BitsToDouble(r.ReadFixedInt64("RetryBackoff.Factor"))),
        OrderedByKey: r.ReadBool("SubscriptionConfig.OrderedByKey"),
        Filter: r.ReadNullableString("SubscriptionConfig.Filter"),
        Incarnation: ReadGuid(ref r, "SubscriptionConfig.Incarnation"));

    private static TopicRetention ReadRetention(ref LegacyWireReader r) => new(
        MaxAge: r.ReadTimeSpan("TopicRetention.MaxAge"),
        MaxMessages: r.ReadVarInt32("TopicRetention.MaxMessages"));

    private static DeliveryFailure ReadDeliveryFailure(ref LegacyWireReader r) => new(
        Subscription: r.ReadString("DeliveryFailure.Subscription"),
        Sequence: r.ReadNonNegativeInt64("DeliveryFailure.Sequence"),
        Attempts: r.ReadNonNegativeInt32("DeliveryFailure.Attempts"),
        FirstFailure: r.ReadDateTime("DeliveryFailure.FirstFailure"),
        LastFailure: r.ReadDateTime("DeliveryFailure.LastFailure"),
        RetryAt: r.ReadDateTime("DeliveryFailure.RetryAt"),
        Error: r.ReadString("DeliveryFailure.Error"));

    private static DeadLetterTransfer ReadTransfer(ref LegacyWireReader r) => new(
        Id: r.ReadNonNegativeInt64("DeadLetterTransfer.Id"),
        Sequence: r.ReadNonNegativeInt64("DeadLetterTransfer.Sequence"),
        Attempts: r.ReadNonNegativeInt32("DeadLetterTransfer.Attempts"),
        FirstFailure: r.ReadDateTime("DeadLetterTransfer.FirstFailure"),
        LastFailure: r.ReadDateTime("DeadLetterTransfer.LastFailure"),
        Error: r.ReadString("DeadLetterTransfer.Error"),
        Reason: (DeadLetterReason)r.ReadNonNegativeInt32("DeadLetterTransfer.Reason"));

    private static MessageIdEntry ReadMessageIdEntry(ref LegacyWireReader r) => new(
        MessageId: r.ReadString("MessageIdEntry.MessageId"),
        Sequence: r.ReadNonNegativeInt64("MessageIdEntry.Sequence"),
        Timestamp: r.ReadDateTime("MessageIdEntry.Timestamp"));

    private static Guid ReadGuid(ref LegacyWireReader r, string field)
    {
        var offset = r.Position;
        var bytes = r.ReadBytes(field);
        return bytes.Length == 16 ? new Guid(bytes) : throw r.Malformed(field, offset, $"a Guid is 16 bytes, not {bytes.Length}");
    }
}
