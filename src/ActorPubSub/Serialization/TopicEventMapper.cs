using ActorPubSub.Topics;
using ActorPubSub.Topics.Log;
using ActorPubSub.Topics.Subscriptions;
using static ActorPubSub.Serialization.CommonMapper;
using P = ActorPubSub.Serialization.Proto;

namespace ActorPubSub.Serialization;

/// <summary>A topic's journal events and snapshot (topic_events.proto) &lt;-&gt; their records.</summary>
internal static class TopicEventMapper
{
    public static P.MessagesAppended ToProto(MessagesAppended m) => new()
    {
        Messages = { Each(m.Messages, CommonMapper.ToProto) },
        Producers = { Each(m.Producers, ToProto) },
    };

    public static MessagesAppended FromProto(P.MessagesAppended p) => new(List(p.Messages, CommonMapper.FromProto), List(p.Producers, FromProto));

    public static P.AcksRecorded ToProto(AcksRecorded m) => new() { Acks = { Each(m.Acks, ToProto) } };

    public static AcksRecorded FromProto(P.AcksRecorded p) => new(List(p.Acks, FromProto));

    public static P.SubscriptionAdded ToProto(SubscriptionAdded m) =>
        new() { Subscription = m.Subscription, Watermark = m.Watermark, Config = ToProto(m.Config) };

    public static SubscriptionAdded FromProto(P.SubscriptionAdded p) =>
        new(p.Subscription, p.Watermark, FromProto(Required(p.Config, "SubscriptionAdded.config")));

    public static P.SubscriptionRemoved ToProto(SubscriptionRemoved m) => new() { Subscription = m.Subscription };

    public static SubscriptionRemoved FromProto(P.SubscriptionRemoved p) => new(p.Subscription);

    public static P.DeliveriesFailed ToProto(DeliveriesFailed m) => new() { Failures = { Each(m.Failures, ToProto) } };

    public static DeliveriesFailed FromProto(P.DeliveriesFailed p) => new(List(p.Failures, FromProto));

    public static P.MessagesDeadLettered ToProto(MessagesDeadLettered m) => new()
    {
        Subscription = m.Subscription,
        Transfers = { Each(m.Transfers, ToProto) },
    };

    public static MessagesDeadLettered FromProto(P.MessagesDeadLettered p) => new(p.Subscription, List(p.Transfers, FromProto));

    public static P.DeadLettersConfirmed ToProto(DeadLettersConfirmed m) => new() { Subscription = m.Subscription, UpToId = m.UpToId };

    public static DeadLettersConfirmed FromProto(P.DeadLettersConfirmed p) => new(p.Subscription, p.UpToId);

    public static P.RedriveRecorded ToProto(RedriveRecorded m) => new()
    {
        Subscription = m.Subscription,
        Messages = { Each(m.Messages, CommonMapper.ToProto) },
    };

    public static RedriveRecorded FromProto(P.RedriveRecorded p) => new(p.Subscription, List(p.Messages, CommonMapper.FromProto));

    public static P.CursorMoved ToProto(CursorMoved m) => new() { Subscription = m.Subscription, Sequence = m.Sequence };

    public static CursorMoved FromProto(P.CursorMoved p) => new(p.Subscription, p.Sequence);

    public static P.RetentionChanged ToProto(RetentionChanged m) => new() { Retention = CommonMapper.ToProto(m.Retention) };

    public static RetentionChanged FromProto(P.RetentionChanged p) =>
        new(CommonMapper.FromProto(Required(p.Retention, "RetentionChanged.retention")));

    public static P.TopicSnapshot ToProto(TopicSnapshot m) => new()
    {
        LastSequence = m.LastSequence,
        Retention = m.Retention is null ? null : CommonMapper.ToProto(m.Retention),
        Retained = { Each(m.Retained, CommonMapper.ToProto) },
        Subscriptions = { Each(m.Subscriptions, ToProto) },
        Producers = { Each(m.Producers, ToProto) },
        MessageIds = { Each(m.MessageIds, ToProto) },
        FirstSequence = m.FirstSequence,
        Chunks = { Each(m.Chunks, ToProto) },
        Limits = m.Limits is null ? null : CommonMapper.ToProto(m.Limits),
    };

    public static TopicSnapshot FromProto(P.TopicSnapshot p) => new(
        LastSequence: p.LastSequence,
        Retained: List(p.Retained, CommonMapper.FromProto),
        Subscriptions: List(p.Subscriptions, FromProto),
        Producers: List(p.Producers, FromProto),
        MessageIds: List(p.MessageIds, FromProto),
        Retention: p.Retention is null ? null : CommonMapper.FromProto(p.Retention),
        FirstSequence: p.FirstSequence,
        Chunks: List(p.Chunks, FromProto),
        Limits: p.Limits is null ? null : CommonMapper.FromProto(p.Limits));

    public static P.LogTruncated ToProto(LogTruncated m) => new() { FirstSequence = m.FirstSequence };

    public static LogTruncated FromProto(P.LogTruncated p) => new(p.FirstSequence);

    public static P.LimitsChanged ToProto(LimitsChanged m) => new() { Limits = CommonMapper.ToProto(m.Limits) };

    public static LimitsChanged FromProto(P.LimitsChanged p) => new(CommonMapper.FromProto(Required(p.Limits, "LimitsChanged.limits")));

    private static P.LogChunk ToProto(LogChunk m) => new()
    {
        FirstSequence = m.FirstSequence, LastSequence = m.LastSequence, FirstJournalSeqNr = m.FirstJournalSeqNr,
        LastJournalSeqNr = m.LastJournalSeqNr, Bytes = m.Bytes, FirstTimestamp = Ticks(m.FirstTimestamp),
        LastTimestamp = Ticks(m.LastTimestamp),
    };

    private static LogChunk FromProto(P.LogChunk p) => new(p.FirstSequence, p.LastSequence, p.FirstJournalSeqNr,
        p.LastJournalSeqNr, p.Bytes, UtcDateTime(p.FirstTimestamp, "LogChunk.first_timestamp"),
        UtcDateTime(p.LastTimestamp, "LogChunk.last_timestamp"));

    // ---- parts ------------------------------------------------------------------------------------------

    private static P.ProducerRun ToProto(ProducerRun m) => new()
    {
        ProducerId = m.ProducerId, FirstProducerSeq = m.FirstProducerSeq, FirstSequence = m.FirstSequence, Count = m.Count,
    };

    private static ProducerRun FromProto(P.ProducerRun p) => new(p.ProducerId, p.FirstProducerSeq, p.FirstSequence, p.Count);

    private static P.SubscriptionAcks ToProto(SubscriptionAcks m) => new()
    {
        Subscription = m.Subscription,
        SequenceDeltas = { Deltas(m.Sequences) },
    };

    private static SubscriptionAcks FromProto(P.SubscriptionAcks p) => new(p.Subscription, FromDeltas(p.SequenceDeltas));

    private static P.SubscriptionConfig ToProto(SubscriptionConfig m)
    {
        var p = new P.SubscriptionConfig
        {
            AckDeadline = m.AckDeadline.Ticks,
            MaxDeliveryAttempts = m.MaxDeliveryAttempts,
            Backoff = CommonMapper.ToProto(m.Backoff),
            OrderedByKey = m.OrderedByKey,
            Incarnation = Bytes(m.Incarnation),
        };
        if (m.Filter is not null) p.Filter = m.Filter;
        return p;
    }

    private static SubscriptionConfig FromProto(P.SubscriptionConfig p) => new(
        AckDeadline: new TimeSpan(p.AckDeadline),
        MaxDeliveryAttempts: p.MaxDeliveryAttempts,
        Backoff: CommonMapper.FromProto(Required(p.Backoff, "SubscriptionConfig.backoff")),
        OrderedByKey: p.OrderedByKey,
        Filter: p.HasFilter ? p.Filter : null,
        Incarnation: Guid(p.Incarnation, "SubscriptionConfig.incarnation"));

    private static P.DeliveryFailure ToProto(DeliveryFailure m) => new()
    {
        Subscription = m.Subscription,
        Sequence = m.Sequence,
        Attempts = m.Attempts,
        FirstFailure = Ticks(m.FirstFailure),
        LastFailure = Ticks(m.LastFailure),
        RetryAt = Ticks(m.RetryAt),
        Error = m.Error,
    };

    private static DeliveryFailure FromProto(P.DeliveryFailure p) => new(
        Subscription: p.Subscription,
        Sequence: p.Sequence,
        Attempts: p.Attempts,
        FirstFailure: UtcDateTime(p.FirstFailure, "DeliveryFailure.first_failure"),
        LastFailure: UtcDateTime(p.LastFailure, "DeliveryFailure.last_failure"),
        RetryAt: UtcDateTime(p.RetryAt, "DeliveryFailure.retry_at"),
        Error: p.Error);

    private static P.DeadLetterTransfer ToProto(DeadLetterTransfer m) => new()
    {
        Id = m.Id,
        Sequence = m.Sequence,
        Attempts = m.Attempts,
        FirstFailure = Ticks(m.FirstFailure),
        LastFailure = Ticks(m.LastFailure),
        Error = m.Error,
        Reason = (int)m.Reason,
    };

    private static DeadLetterTransfer FromProto(P.DeadLetterTransfer p) => new(
        Id: p.Id,
        Sequence: p.Sequence,
        Attempts: p.Attempts,
        FirstFailure: UtcDateTime(p.FirstFailure, "DeadLetterTransfer.first_failure"),
        LastFailure: UtcDateTime(p.LastFailure, "DeadLetterTransfer.last_failure"),
        Error: p.Error,
        Reason: (DeadLetterReason)p.Reason);

    private static P.SubscriptionSnapshot ToProto(SubscriptionSnapshot m) => new()
    {
        Name = m.Name,
        Watermark = m.Watermark,
        Config = ToProto(m.Config),
        LastTransferId = m.LastTransferId,
        AckedAboveDeltas = { Deltas(m.AckedAbove) },
        Failures = { Each(m.Failures, ToProto) },
        Transfers = { Each(m.Transfers, ToProto) },
        Redriven = { Each(m.Redriven, CommonMapper.ToProto) },
        Dropped = m.Dropped,
    };

    private static SubscriptionSnapshot FromProto(P.SubscriptionSnapshot p) => new(
        Name: p.Name,
        Watermark: p.Watermark,
        AckedAbove: FromDeltas(p.AckedAboveDeltas),
        Config: FromProto(Required(p.Config, "SubscriptionSnapshot.config")),
        Failures: List(p.Failures, FromProto),
        Transfers: List(p.Transfers, FromProto),
        LastTransferId: p.LastTransferId,
        Redriven: List(p.Redriven, CommonMapper.FromProto),
        Dropped: p.Dropped);

    private static P.MessageIdEntry ToProto(MessageIdEntry m) => new() { MessageId = m.MessageId, Sequence = m.Sequence, Timestamp = Ticks(m.Timestamp) };

    private static MessageIdEntry FromProto(P.MessageIdEntry p) =>
        new(p.MessageId, p.Sequence, UtcDateTime(p.Timestamp, "MessageIdEntry.timestamp"));
}
