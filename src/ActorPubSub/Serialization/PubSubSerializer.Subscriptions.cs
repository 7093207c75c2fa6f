using ActorPubSub.DeadLetters;
using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Topics;
using ActorPubSub.Messages;

namespace ActorPubSub.Serialization;

/// <summary>
/// Subscription options and delivery supervision: creating, inspecting and seeking subscriptions, nacks,
/// failures, dead-letter transfers, redrives and retention, and the subscription parts of the snapshot.
/// </summary>
public sealed partial class PubSubSerializer
{
    // ---- protocol ---------------------------------------------------------------------------------------

    private static void WriteCreateSubscription(WireWriter w, CreateSubscription m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        w.WriteNonNegative((int)m.Start);
        w.WriteTimeSpan(m.AckDeadline);
        w.WriteNonNegative(m.MaxDeliveryAttempts);
        w.WriteBool(m.Backoff is not null);
        if (m.Backoff is not null) WriteBackoff(w, m.Backoff);
        w.WriteByte(m.OrderedByKey switch { null => 0, false => 1, true => 2 });
        w.WriteNullableString(m.Filter);
    }

    // Enum values are passed through unchecked: a value added by a newer node reaches the caller's default
    // branch instead of failing the whole message.
    private static CreateSubscription ReadCreateSubscription(ref WireReader r) => new(
        Topic: r.ReadString("CreateSubscription.Topic"),
        Subscription: r.ReadString("CreateSubscription.Subscription"),
        Start: (StartPosition)r.ReadNonNegativeInt32("CreateSubscription.Start"),
        AckDeadline: r.ReadTimeSpan("CreateSubscription.AckDeadline"),
        MaxDeliveryAttempts: r.ReadNonNegativeInt32("CreateSubscription.MaxDeliveryAttempts"),
        Backoff: r.ReadBool("CreateSubscription.Backoff") ? ReadBackoff(ref r) : null,
        OrderedByKey: ReadTriState(ref r, "CreateSubscription.OrderedByKey"),
        Filter: r.ReadNullableString("CreateSubscription.Filter"));

    private static void WriteNack(WireWriter w, Nack m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        w.WriteNonNegative(m.Sequence);
        w.WriteBool(m.Delay.HasValue);
        if (m.Delay is { } delay) w.WriteTimeSpan(delay);
        w.WriteString(m.Error);
        w.WriteBool(m.Unprocessable);
    }

    private static Nack ReadNack(ref WireReader r) => new(
        Topic: r.ReadString("Nack.Topic"),
        Subscription: r.ReadString("Nack.Subscription"),
        Sequence: r.ReadNonNegativeInt64("Nack.Sequence"),
        Delay: r.ReadBool("Nack.Delay") ? r.ReadTimeSpan("Nack.Delay") : null,
        Error: r.ReadString("Nack.Error"),
        Unprocessable: r.ReadBool("Nack.Unprocessable"));

    private static void WriteTopicInfo(WireWriter w, TopicInfo m)
    {
        w.WriteString(m.Topic);
        w.WriteBool(m.Exists);
        w.WriteNonNegative(m.LastSequence);
        w.WriteNonNegative(m.FirstRetained);
        w.WriteNonNegative(m.RetainedMessages);
        w.WriteNonNegative(m.RetainedBytes);
        WriteArray(w, m.Subscriptions, WriteSubscriptionInfo);
        w.WriteString(m.Node);
        WriteRetention(w, m.Retention);
    }

    private static TopicInfo ReadTopicInfo(ref WireReader r) => new(
        Topic: r.ReadString("TopicInfo.Topic"),
        Exists: r.ReadBool("TopicInfo.Exists"),
        LastSequence: r.ReadNonNegativeInt64("TopicInfo.LastSequence"),
        FirstRetained: r.ReadNonNegativeInt64("TopicInfo.FirstRetained"),
        RetainedMessages: r.ReadNonNegativeInt32("TopicInfo.RetainedMessages"),
        RetainedBytes: r.ReadNonNegativeInt64("TopicInfo.RetainedBytes"),
        Subscriptions: ReadArray(ref r, "TopicInfo.Subscriptions", minBytesPerItem: 10, ReadSubscriptionInfo),
        Node: r.ReadString("TopicInfo.Node"),
        Retention: ReadRetention(ref r));

    private static void WriteSubscriptionInfo(WireWriter w, SubscriptionInfo m)
    {
        w.WriteString(m.Name);
        w.WriteNonNegative(m.Watermark);
        w.WriteNonNegative(m.Pending);
        w.WriteNonNegative(m.InFlight);
        w.WriteNonNegative(m.Consumers);
        w.WriteTimeSpan(m.AckDeadline);
        w.WriteNonNegative(m.MaxDeliveryAttempts);
        w.WriteBool(m.OrderedByKey);
        w.WriteNullableString(m.Filter);
        w.WriteNonNegative(m.DeadLettering);
        w.WriteTimeSpan(m.OldestUnackedAge);
        w.WriteBool(m.DeadLetters.HasValue);
        if (m.DeadLetters is { } deadLetters) w.WriteNonNegative(deadLetters);
    }

    private static SubscriptionInfo ReadSubscriptionInfo(ref WireReader r) => new(
        Name: r.ReadString("SubscriptionInfo.Name"),
        Watermark: r.ReadNonNegativeInt64("SubscriptionInfo.Watermark"),
        Pending: r.ReadNonNegativeInt64("SubscriptionInfo.Pending"),
        InFlight: r.ReadNonNegativeInt32("SubscriptionInfo.InFlight"),
        Consumers: r.ReadNonNegativeInt32("SubscriptionInfo.Consumers"),
        AckDeadline: r.ReadTimeSpan("SubscriptionInfo.AckDeadline"),
        MaxDeliveryAttempts: r.ReadNonNegativeInt32("SubscriptionInfo.MaxDeliveryAttempts"),
        OrderedByKey: r.ReadBool("SubscriptionInfo.OrderedByKey"),
        Filter: r.ReadNullableString("SubscriptionInfo.Filter"),
        DeadLettering: r.ReadNonNegativeInt32("SubscriptionInfo.DeadLettering"),
        OldestUnackedAge: r.ReadTimeSpan("SubscriptionInfo.OldestUnackedAge"),
        DeadLetters: r.ReadBool("SubscriptionInfo.DeadLetters") ? r.ReadNonNegativeInt32("SubscriptionInfo.DeadLetters") : null);

    private static void WriteSeek(WireWriter w, Seek m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        w.WriteBool(m.Sequence.HasValue);
        if (m.Sequence is { } sequence) w.WriteVarInt64(sequence);
        w.WriteBool(m.Timestamp.HasValue);
        if (m.Timestamp is { } timestamp) w.WriteDateTime(timestamp);
    }

    private static Seek ReadSeek(ref WireReader r) => new(
        Topic: r.ReadString("Seek.Topic"),
        Subscription: r.ReadString("Seek.Subscription"),
        Sequence: r.ReadBool("Seek.Sequence") ? r.ReadVarInt64("Seek.Sequence") : null,
        Timestamp: r.ReadBool("Seek.Timestamp") ? r.ReadDateTime("Seek.Timestamp") : null);

    private static void WriteSeekCompleted(WireWriter w, SeekCompleted m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        w.WriteNonNegative(m.Sequence);
    }

    private static SeekCompleted ReadSeekCompleted(ref WireReader r) => new(
        Topic: r.ReadString("SeekCompleted.Topic"),
        Subscription: r.ReadString("SeekCompleted.Subscription"),
        Sequence: r.ReadNonNegativeInt64("SeekCompleted.Sequence"));

    private static void WriteConfigureTopic(WireWriter w, ConfigureTopic m)
    {
        w.WriteString(m.Topic);
        WriteRetention(w, m.Retention);
    }

    private static ConfigureTopic ReadConfigureTopic(ref WireReader r) => new(
        Topic: r.ReadString("ConfigureTopic.Topic"),
        Retention: ReadRetention(ref r));

    private static void WriteTopicConfigured(WireWriter w, TopicConfigured m)
    {
        w.WriteString(m.Topic);
        WriteRetention(w, m.Retention);
    }

    private static TopicConfigured ReadTopicConfigured(ref WireReader r) => new(
        Topic: r.ReadString("TopicConfigured.Topic"),
        Retention: ReadRetention(ref r));

    private static void WriteRedriveMessages(WireWriter w, RedriveMessages m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        WriteMessages(w, m.Messages);
    }

    private static RedriveMessages ReadRedriveMessages(ref WireReader r) => new(
        Topic: r.ReadString("RedriveMessages.Topic"),
        Subscription: r.ReadString("RedriveMessages.Subscription"),
        Messages: ReadMessages(ref r, "RedriveMessages.Messages"));

    private static void WriteMessagesRedriven(WireWriter w, MessagesRedriven m)
    {
        w.WriteString(m.Topic);
        w.WriteString(m.Subscription);
        w.WriteInt64ArrayDelta(m.Sequences);
    }

    private static MessagesRedriven ReadMessagesRedriven(ref WireReader r) => new(
        Topic: r.ReadString("MessagesRedriven.Topic"),
        Subscription: r.ReadString("MessagesRedriven.Subscription"),
        Sequences: r.ReadInt64ArrayDelta("MessagesRedriven.Sequences"));

    // ---- journal events (each starts with JournalFormatVersion) ------------------------------------------

    private static void WriteSubscriptionAdded(WireWriter w, SubscriptionAdded m)
    {
        w.WriteByte(JournalFormatVersion);
        w.WriteString(m.Subscription);
        w.WriteNonNegative(m.Watermark);
        WriteSubscriptionConfig(w, m.Config);
    }

    private static SubscriptionAdded ReadSubscriptionAdded(ref WireReader r)
    {
        ReadJournalFormatVersion(ref r);
        return new SubscriptionAdded(
            Subscription: r.ReadString("SubscriptionAdded.Subscription"),
            Watermark: r.ReadNonNegativeInt64("SubscriptionAdded.Watermark"),
            Config: ReadSubscriptionConfig(ref r));
    }

    private static void WriteDeliveriesFailed(WireWriter w, DeliveriesFailed m)
    {
        w.WriteByte(JournalFormatVersion);
        WriteArray(w, m.Failures, WriteDeliveryFailure);
    }

    private static DeliveriesFailed ReadDeliveriesFailed(ref WireReader r)
    {
        ReadJournalFormatVersion(ref r);
        return new DeliveriesFailed(ReadArray(ref r, "DeliveriesFailed.Failures", minBytesPerItem: 28, ReadDeliveryFailure));
    }

    private static void WriteMessagesDeadLettered(WireWriter w, MessagesDeadLettered m)
    {
        w.WriteByte(JournalFormatVersion);
        w.WriteString(m.Subscription);
        WriteArray(w, m.Transfers, WriteTransfer);
    }

    private static MessagesDeadLettered ReadMessagesDeadLettered(ref WireReader r)
    {
        ReadJournalFormatVersion(ref r);
        return new MessagesDeadLettered(
            Subscription: r.ReadString("MessagesDeadLettered.Subscription"),
            Transfers: ReadArray(ref r, "MessagesDeadLettered.Transfers", minBytesPerItem: 21, ReadTransfer));
    }

    private static void WriteDeadLettersConfirmed(WireWriter w, DeadLettersConfirmed m)
    {
        w.WriteByte(JournalFormatVersion);
        w.WriteString(m.Subscription);
        w.WriteNonNegative(m.UpToId);
    }

    private static DeadLettersConfirmed ReadDeadLettersConfirmed(ref WireReader r)
    {
        ReadJournalFormatVersion(ref r);
        return new DeadLettersConfirmed(
            Subscription: r.ReadString("DeadLettersConfirmed.Subscription"),
            UpToId: r.ReadNonNegativeInt64("DeadLettersConfirmed.UpToId"));
    }

    private static void WriteRedriveRecorded(WireWriter w, RedriveRecorded m)
    {
        w.WriteByte(JournalFormatVersion);
        w.WriteString(m.Subscription);
        WriteMessages(w, m.Messages);
    }

    private static RedriveRecorded ReadRedriveRecorded(ref WireReader r)
    {
        ReadJournalFormatVersion(ref r);
        return new RedriveRecorded(
            Subscription: r.ReadString("RedriveRecorded.Subscription"),
            Messages: ReadMessages(ref r, "RedriveRecorded.Messages"));
    }

    private static void WriteCursorMoved(WireWriter w, CursorMoved m)
    {
        w.WriteByte(JournalFormatVersion);
        w.WriteString(m.Subscription);
        w.WriteNonNegative(m.Sequence);
    }

    private static CursorMoved ReadCursorMoved(ref WireReader r)
    {
        ReadJournalFormatVersion(ref r);
        return new CursorMoved(
            Subscription: r.ReadString("CursorMoved.Subscription"),
            Sequence: r.ReadNonNegativeInt64("CursorMoved.Sequence"));
    }

    private static void WriteRetentionChanged(WireWriter w, RetentionChanged m)
    {
        w.WriteByte(JournalFormatVersion);
        WriteRetention(w, m.Retention);
    }

    private static RetentionChanged ReadRetentionChanged(ref WireReader r)
    {
        ReadJournalFormatVersion(ref r);
        return new RetentionChanged(ReadRetention(ref r));
    }

    private static void WriteTopicSnapshot(WireWriter w, TopicSnapshot m)
    {
        w.WriteByte(JournalFormatVersion);
        w.WriteNonNegative(m.LastSequence);
        WriteMessages(w, m.Retained);
        WriteArray(w, m.Subscriptions, WriteSubscriptionSnapshot);
        WriteArray(w, m.Producers, WriteProducerRun);
        WriteArray(w, m.MessageIds, WriteMessageIdEntry);
        w.WriteBool(m.Retention is not null);
        if (m.Retention is not null) WriteRetention(w, m.Retention);
    }

    private static TopicSnapshot ReadTopicSnapshot(ref WireReader r)
    {
        ReadJournalFormatVersion(ref r);
        return new TopicSnapshot(
            LastSequence: r.ReadNonNegativeInt64("TopicSnapshot.LastSequence"),
            Retained: ReadMessages(ref r, "TopicSnapshot.Retained"),
            Subscriptions: ReadArray(ref r, "TopicSnapshot.Subscriptions", minBytesPerItem: 8, ReadSubscriptionSnapshot),
            Producers: ReadArray(ref r, "TopicSnapshot.Producers", minBytesPerItem: 4, ReadProducerRun),
            MessageIds: ReadArray(ref r, "TopicSnapshot.MessageIds", minBytesPerItem: 10, ReadMessageIdEntry),
            Retention: r.ReadBool("TopicSnapshot.Retention") ? ReadRetention(ref r) : null);
    }

    // ---- nested types -----------------------------------------------------------------------------------

    private static void WriteSubscriptionSnapshot(WireWriter w, SubscriptionSnapshot m)
    {
        w.WriteString(m.Name);
        w.WriteNonNegative(m.Watermark);
        w.WriteInt64ArrayDelta(m.AckedAbove);
        WriteSubscriptionConfig(w, m.Config);
        WriteArray(w, m.Failures, WriteDeliveryFailure);
        WriteArray(w, m.Transfers, WriteTransfer);
        w.WriteNonNegative(m.LastTransferId);
        WriteMessages(w, m.Redriven);
    }

    private static SubscriptionSnapshot ReadSubscriptionSnapshot(ref WireReader r) => new(
        Name: r.ReadString("SubscriptionSnapshot.Name"),
        Watermark: r.ReadNonNegativeInt64("SubscriptionSnapshot.Watermark"),
        AckedAbove: r.ReadInt64ArrayDelta("SubscriptionSnapshot.AckedAbove"),
        Config: ReadSubscriptionConfig(ref r),
        Failures: ReadArray(ref r, "SubscriptionSnapshot.Failures", minBytesPerItem: 28, ReadDeliveryFailure),
        Transfers: ReadArray(ref r, "SubscriptionSnapshot.Transfers", minBytesPerItem: 21, ReadTransfer),
        LastTransferId: r.ReadNonNegativeInt64("SubscriptionSnapshot.LastTransferId"),
        Redriven: ReadMessages(ref r, "SubscriptionSnapshot.Redriven"));

    private static void WriteSubscriptionConfig(WireWriter w, SubscriptionConfig m)
    {
        w.WriteTimeSpan(m.AckDeadline);
        w.WriteNonNegative(m.MaxDeliveryAttempts);
        WriteBackoff(w, m.Backoff);
        w.WriteBool(m.OrderedByKey);
        w.WriteNullableString(m.Filter);
        w.WriteBytes(m.Incarnation.ToByteArray());
    }

    private static SubscriptionConfig ReadSubscriptionConfig(ref WireReader r) => new(
        AckDeadline: r.ReadTimeSpan("SubscriptionConfig.AckDeadline"),
        MaxDeliveryAttempts: r.ReadNonNegativeInt32("SubscriptionConfig.MaxDeliveryAttempts"),
        Backoff: ReadBackoff(ref r),
        OrderedByKey: r.ReadBool("SubscriptionConfig.OrderedByKey"),
        Filter: r.ReadNullableString("SubscriptionConfig.Filter"),
        Incarnation: ReadGuid(ref r, "SubscriptionConfig.Incarnation"));

    private static void WriteBackoff(WireWriter w, RetryBackoff m)
    {
        w.WriteTimeSpan(m.Min);
        w.WriteTimeSpan(m.Max);
        w.WriteFixedInt64(BitConverter.DoubleToInt64Bits(m.Factor));
    }

    private static RetryBackoff ReadBackoff(ref WireReader r) => new(
        Min: r.ReadTimeSpan("RetryBackoff.Min"),
        Max: r.ReadTimeSpan("RetryBackoff.Max"),
        Factor: BitConverter.Int64BitsToDouble(r.ReadFixedInt64("RetryBackoff.Factor")));

    private static void WriteRetention(WireWriter w, TopicRetention m)
    {
        w.WriteTimeSpan(m.MaxAge);
        w.WriteVarInt32(m.MaxMessages);
    }

    private static TopicRetention ReadRetention(ref WireReader r) => new(
        MaxAge: r.ReadTimeSpan("TopicRetention.MaxAge"),
        MaxMessages: r.ReadVarInt32("TopicRetention.MaxMessages"));

    private static void WriteDeliveryFailure(WireWriter w, DeliveryFailure m)
    {
        w.WriteString(m.Subscription);
        w.WriteNonNegative(m.Sequence);
        w.WriteNonNegative(m.Attempts);
        w.WriteDateTime(m.FirstFailure);
        w.WriteDateTime(m.LastFailure);
        w.WriteDateTime(m.RetryAt);
        w.WriteString(m.Error);
    }

    private static DeliveryFailure ReadDeliveryFailure(ref WireReader r) => new(
        Subscription: r.ReadString("DeliveryFailure.Subscription"),
        Sequence: r.ReadNonNegativeInt64("DeliveryFailure.Sequence"),
        Attempts: r.ReadNonNegativeInt32("DeliveryFailure.Attempts"),
        FirstFailure: r.ReadDateTime("DeliveryFailure.FirstFailure"),
        LastFailure: r.ReadDateTime("DeliveryFailure.LastFailure"),
        RetryAt: r.ReadDateTime("DeliveryFailure.RetryAt"),
        Error: r.ReadString("DeliveryFailure.Error"));

    private static void WriteTransfer(WireWriter w, DeadLetterTransfer m)
    {
        w.WriteNonNegative(m.Id);
        w.WriteNonNegative(m.Sequence);
        w.WriteNonNegative(m.Attempts);
        w.WriteDateTime(m.FirstFailure);
        w.WriteDateTime(m.LastFailure);
        w.WriteString(m.Error);
        w.WriteNonNegative((int)m.Reason);
    }

    private static DeadLetterTransfer ReadTransfer(ref WireReader r) => new(
        Id: r.ReadNonNegativeInt64("DeadLetterTransfer.Id"),
        Sequence: r.ReadNonNegativeInt64("DeadLetterTransfer.Sequence"),
        Attempts: r.ReadNonNegativeInt32("DeadLetterTransfer.Attempts"),
        FirstFailure: r.ReadDateTime("DeadLetterTransfer.FirstFailure"),
        LastFailure: r.ReadDateTime("DeadLetterTransfer.LastFailure"),
        Error: r.ReadString("DeadLetterTransfer.Error"),
        Reason: (DeadLetterReason)r.ReadNonNegativeInt32("DeadLetterTransfer.Reason"));

    private static void WriteMessageIdEntry(WireWriter w, MessageIdEntry m)
    {
        w.WriteString(m.MessageId);
        w.WriteNonNegative(m.Sequence);
        w.WriteDateTime(m.Timestamp);
    }

    private static MessageIdEntry ReadMessageIdEntry(ref WireReader r) => new(
        MessageId: r.ReadString("MessageIdEntry.MessageId"),
        Sequence: r.ReadNonNegativeInt64("MessageIdEntry.Sequence"),
        Timestamp: r.ReadDateTime("MessageIdEntry.Timestamp"));

    private static bool? ReadTriState(ref WireReader r, string field)
    {
        var offset = r.Position;
        return r.ReadByte(field) switch
        {
            0 => null,
            1 => false,
            2 => true,
            var other => throw r.Malformed(field, offset, $"{other} is not 0 (unset), 1 (false) or 2 (true)"),
        };
    }

    private static Guid ReadGuid(ref WireReader r, string field)
    {
        var offset = r.Position;
        var bytes = r.ReadBytes(field);
        return bytes.Length == 16 ? new Guid(bytes) : throw r.Malformed(field, offset, $"a Guid is 16 bytes, not {bytes.Length}");
    }
}
