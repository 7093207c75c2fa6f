using System.Runtime.InteropServices;
using System.Runtime.Serialization;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;
using Akka.Actor;
using static ActorPubSub.Serialization.CommonMapper;
using P = ActorPubSub.Serialization.Proto;

namespace ActorPubSub.Serialization;

/// <summary>The topic protocol (topic_protocol.proto) &lt;-&gt; its records. Enum values pass through unchecked.</summary>
internal static class TopicProtocolMapper
{
    public static P.Publish ToProto(Publish m)
    {
        var p = new P.Publish
        {
            Topic = m.Topic,
            Payload = CommonMapper.ToProto(m.Payload),
            Headers = CommonMapper.ToProto(m.Headers),
            ProducerSeq = m.ProducerSeq,
            ProducerFloor = m.ProducerFloor,
        };
        if (m.Key is not null) p.Key = m.Key;
        if (m.MessageId is not null) p.MessageId = m.MessageId;
        if (m.ProducerId is not null) p.ProducerId = m.ProducerId;
        return p;
    }

    public static Publish FromProto(P.Publish p) => new(
        Topic: p.Topic,
        Payload: CommonMapper.FromProto(Required(p.Payload, "Publish.payload")),
        Key: p.HasKey ? p.Key : null,
        Headers: CommonMapper.FromProto(p.Headers),
        MessageId: p.HasMessageId ? p.MessageId : null,
        ProducerId: p.HasProducerId ? p.ProducerId : null,
        ProducerSeq: p.ProducerSeq,
        ProducerFloor: p.ProducerFloor);

    public static P.PublishBatch ToProto(PublishBatch m) =>
        new() { Topic = m.Topic, Publishes = { Each(m.Publishes, ToProto) }, CompactReceipts = m.CompactReceipts };

    public static PublishBatch FromProto(P.PublishBatch p) => new(p.Topic, List(p.Publishes, FromProto)) { CompactReceipts = p.CompactReceipts };

    public static P.PublishReceipt ToProto(PublishReceipt m)
    {
        var p = new P.PublishReceipt
        {
            Topic = m.Topic,
            Sequence = m.Sequence,
            ProducerSeq = m.ProducerSeq,
            Duplicate = m.Duplicate,
        };
        if (m.ProducerId is not null) p.ProducerId = m.ProducerId;
        return p;
    }

    public static PublishReceipt FromProto(P.PublishReceipt p) =>
        new(p.Topic, p.Sequence, p.HasProducerId ? p.ProducerId : null, p.ProducerSeq, p.Duplicate);

    public static P.PublishReceipts ToProto(PublishReceipts m) => new() { Topic = m.Topic, Receipts = { Each(m.Receipts, ToProto) } };

    public static PublishReceipts FromProto(P.PublishReceipts p) => new(p.Topic, List(p.Receipts, FromProto));

    /// <summary>
    /// Most receipts one <see cref="P.PublishReceiptRuns"/> may stand for: far above any write's (max-write-batch-messages),
    /// low enough that corrupt counts fail as malformed instead of allocating gigabytes.
    /// </summary>
    public const int MaxCompactReceipts = 1_000_000;

    /// <summary>
    /// True when <paramref name="m"/> travels compact: its receiver asked for it, and every receipt has the batch's topic and
    /// one producer id (or none), which the compact form carries once.
    /// </summary>
    public static bool TravelsCompact(PublishReceipts m)
    {
        if (!m.Compact || m.Receipts.IsDefaultOrEmpty || m.Receipts.Length > MaxCompactReceipts) return false;
        var producerId = m.Receipts[0].ProducerId;
        foreach (var r in m.Receipts)
            if (!string.Equals(r.Topic, m.Topic, StringComparison.Ordinal) || !string.Equals(r.ProducerId, producerId, StringComparison.Ordinal))
                return false;
        return true;
    }

    /// <summary>The compact form of <paramref name="m"/>, which <see cref="TravelsCompact"/> allowed.</summary>
    public static P.PublishReceiptRuns ToRunsProto(PublishReceipts m)
    {
        var receipts = m.Receipts;
        var p = new P.PublishReceiptRuns { Topic = m.Topic };
        if (receipts[0].ProducerId is { } producerId) p.ProducerId = producerId;
        long previousSequence = 0, previousProducerSeq = 0;
        for (var i = 0; i < receipts.Length;)
        {
            var first = receipts[i];
            var count = 1;
            while (i + count < receipts.Length
                   && receipts[i + count].Sequence == unchecked(first.Sequence + count)
                   && receipts[i + count].ProducerSeq == unchecked(first.ProducerSeq + count))
                count++;
            p.SequenceDeltas.Add(unchecked(first.Sequence - previousSequence));
            p.ProducerSeqDeltas.Add(unchecked(first.ProducerSeq - previousProducerSeq));
            p.Counts.Add(count);
            (previousSequence, previousProducerSeq) = (first.Sequence, first.ProducerSeq);
            i += count;
        }
        for (var i = 0; i < receipts.Length; i++)
            if (receipts[i].Duplicate) p.Duplicates.Add(i);
        return p;
    }

    /// <summary>The receipts of the compact form; the topic and producer id strings are shared by all of them.</summary>
    public static PublishReceipts FromProto(P.PublishReceiptRuns p)
    {
        var runs = p.Counts.Count;
        if (p.SequenceDeltas.Count != runs || p.ProducerSeqDeltas.Count != runs)
            throw Malformed("PublishReceiptRuns",
                $"{runs} counts, {p.SequenceDeltas.Count} sequence_deltas and {p.ProducerSeqDeltas.Count} producer_seq_deltas; each run needs one of each");
        long total = 0;
        foreach (var count in p.Counts)
        {
            if (count < 1) throw Malformed("PublishReceiptRuns.counts", $"a run of {count} receipts; a run has at least 1");
            total += count;
        }
        if (total > MaxCompactReceipts)
            throw Malformed("PublishReceiptRuns.counts", $"{total} receipts; at most {MaxCompactReceipts} travel in one message");
        string? producerId = p.HasProducerId ? p.ProducerId : null;
        var receipts = new PublishReceipt[total];
        var duplicates = p.Duplicates;
        int next = 0, duplicateAt = 0;
        long sequence = 0, producerSeq = 0;
        for (var run = 0; run < runs; run++)
        {
            sequence = unchecked(sequence + p.SequenceDeltas[run]);
            producerSeq = unchecked(producerSeq + p.ProducerSeqDeltas[run]);
            for (var j = 0; j < p.Counts[run]; j++, next++)
            {
                var duplicate = duplicateAt < duplicates.Count && duplicates[duplicateAt] == next;
                if (duplicate) duplicateAt++;
                receipts[next] = new PublishReceipt(p.Topic, unchecked(sequence + j), producerId, unchecked(producerSeq + j), duplicate);
            }
        }
        if (duplicateAt != duplicates.Count)
            throw Malformed("PublishReceiptRuns.duplicates", $"positions must ascend and be below {total}; {duplicates[duplicateAt]} is not");
        return new PublishReceipts(p.Topic, ImmutableCollectionsMarshal.AsImmutableArray(receipts)) { Compact = true };
    }

    public static P.PublishRejected ToProto(PublishRejected m)
    {
        var p = new P.PublishRejected { Topic = m.Topic, ProducerSeq = m.ProducerSeq, Code = (int)m.Code, Reason = m.Reason };
        if (m.ProducerId is not null) p.ProducerId = m.ProducerId;
        return p;
    }

    public static PublishRejected FromProto(P.PublishRejected p) =>
        new(p.Topic, p.HasProducerId ? p.ProducerId : null, p.ProducerSeq, (RejectionCode)p.Code, p.Reason);

    public static P.CommandRejected ToProto(CommandRejected m)
    {
        var p = new P.CommandRejected { Topic = m.Topic, Command = m.Command, Code = (int)m.Code, Reason = m.Reason };
        if (m.Subscription is not null) p.Subscription = m.Subscription;
        return p;
    }

    public static CommandRejected FromProto(P.CommandRejected p) =>
        new(p.Topic, p.HasSubscription ? p.Subscription : null, p.Command, (RejectionCode)p.Code, p.Reason);

    public static P.CreateSubscription ToProto(CreateSubscription m)
    {
        var p = new P.CreateSubscription
        {
            Topic = m.Topic,
            Subscription = m.Subscription,
            Start = (int)m.Start,
            AckDeadline = m.AckDeadline.Ticks,
            MaxDeliveryAttempts = m.MaxDeliveryAttempts,
            Backoff = m.Backoff is null ? null : CommonMapper.ToProto(m.Backoff),
        };
        if (m.OrderedByKey is { } ordered) p.OrderedByKey = ordered;
        if (m.Filter is not null) p.Filter = m.Filter;
        return p;
    }

    public static CreateSubscription FromProto(P.CreateSubscription p) => new(
        Topic: p.Topic,
        Subscription: p.Subscription,
        Start: (StartPosition)p.Start,
        AckDeadline: new TimeSpan(p.AckDeadline),
        MaxDeliveryAttempts: p.MaxDeliveryAttempts,
        Backoff: p.Backoff is null ? null : CommonMapper.FromProto(p.Backoff),
        OrderedByKey: p.HasOrderedByKey ? p.OrderedByKey : null,
        Filter: p.HasFilter ? p.Filter : null);

    public static P.SubscriptionCreated ToProto(SubscriptionCreated m) =>
        new() { Topic = m.Topic, Subscription = m.Subscription, Watermark = m.Watermark, AlreadyExisted = m.AlreadyExisted };

    public static SubscriptionCreated FromProto(P.SubscriptionCreated p) => new(p.Topic, p.Subscription, p.Watermark, p.AlreadyExisted);

    public static P.DeleteSubscription ToProto(DeleteSubscription m) => new() { Topic = m.Topic, Subscription = m.Subscription };

    public static DeleteSubscription FromProto(P.DeleteSubscription p) => new(p.Topic, p.Subscription);

    public static P.SubscriptionDeleted ToProto(SubscriptionDeleted m) => new() { Topic = m.Topic, Subscription = m.Subscription, Existed = m.Existed };

    public static SubscriptionDeleted FromProto(P.SubscriptionDeleted p) => new(p.Topic, p.Subscription, p.Existed);

    public static P.Consume ToProto(Consume m) =>
        new() { Topic = m.Topic, Subscription = m.Subscription, Consumer = ActorPath(m.Consumer), MaxInFlight = m.MaxInFlight };

    public static Consume FromProto(P.Consume p, ExtendedActorSystem system) =>
        new(p.Topic, p.Subscription, ResolveActorRef(system, p.Consumer, "Consume.consumer"), p.MaxInFlight);

    public static P.ConsumerRegistered ToProto(ConsumerRegistered m) => new() { Topic = m.Topic, Subscription = m.Subscription };

    public static ConsumerRegistered FromProto(P.ConsumerRegistered p) => new(p.Topic, p.Subscription);

    public static P.StopConsuming ToProto(StopConsuming m) =>
        new() { Topic = m.Topic, Subscription = m.Subscription, Consumer = ActorPath(m.Consumer) };

    public static StopConsuming FromProto(P.StopConsuming p, ExtendedActorSystem system) =>
        new(p.Topic, p.Subscription, ResolveActorRef(system, p.Consumer, "StopConsuming.consumer"));

    public static P.Deliver ToProto(Deliver m) => new()
    {
        Topic = m.Topic,
        Subscription = m.Subscription,
        Messages = { Each(m.Messages, CommonMapper.ToProto) },
        Attempts = { Each(m.Attempts) },
    };

    public static Deliver FromProto(P.Deliver p) =>
        new(p.Topic, p.Subscription, List(p.Messages, CommonMapper.FromProto), List(p.Attempts));

    public static P.Ack ToProto(Ack m) => new() { Topic = m.Topic, Subscription = m.Subscription, SequenceDeltas = { Deltas(m.Sequences) } };

    public static Ack FromProto(P.Ack p) => new(p.Topic, p.Subscription, FromDeltas(p.SequenceDeltas));

    public static P.Nack ToProto(Nack m)
    {
        var p = new P.Nack
        {
            Topic = m.Topic,
            Subscription = m.Subscription,
            Sequence = m.Sequence,
            Error = m.Error,
            Unprocessable = m.Unprocessable,
        };
        if (m.Delay is { } delay) p.Delay = delay.Ticks;
        return p;
    }

    public static Nack FromProto(P.Nack p) =>
        new(p.Topic, p.Subscription, p.Sequence, p.HasDelay ? new TimeSpan(p.Delay) : null, p.Error, p.Unprocessable);

    public static P.PublishTransient ToProto(PublishTransient m) => new() { Topic = m.Topic, Messages = { Each(m.Messages, CommonMapper.ToProto) } };

    public static PublishTransient FromProto(P.PublishTransient p) => new(p.Topic, List(p.Messages, CommonMapper.FromProto));

    public static P.TransientDone ToProto(TransientDone m) => new() { Topic = m.Topic, Subscription = m.Subscription, Count = m.Count };

    public static TransientDone FromProto(P.TransientDone p) => new(p.Topic, p.Subscription, p.Count);

    public static P.TransientAccepted ToProto(TransientAccepted m) => new() { Topic = m.Topic, Count = m.Count };

    public static TransientAccepted FromProto(P.TransientAccepted p) => new(p.Topic, p.Count);

    public static P.TransientDemand ToProto(TransientDemand m) => new() { Topic = m.Topic, Count = m.Count };

    public static TransientDemand FromProto(P.TransientDemand p) => new(p.Topic, p.Count);

    public static P.GetTopicInfo ToProto(GetTopicInfo m) => new() { Topic = m.Topic };

    public static GetTopicInfo FromProto(P.GetTopicInfo p) => new(p.Topic);

    public static P.TopicInfo ToProto(TopicInfo m) => new()
    {
        Topic = m.Topic,
        Exists = m.Exists,
        LastSequence = m.LastSequence,
        FirstRetained = m.FirstRetained,
        RetainedMessages = m.RetainedMessages,
        RetainedBytes = m.RetainedBytes,
        Node = m.Node,
        Retention = CommonMapper.ToProto(m.Retention),
        Limits = m.Limits is null ? null : CommonMapper.ToProto(m.Limits),
        Subscriptions = { Each(m.Subscriptions, ToProto) },
    };

    public static TopicInfo FromProto(P.TopicInfo p) => new(
        Topic: p.Topic,
        Exists: p.Exists,
        LastSequence: p.LastSequence,
        FirstRetained: p.FirstRetained,
        RetainedMessages: p.RetainedMessages,
        RetainedBytes: p.RetainedBytes,
        Subscriptions: List(p.Subscriptions, FromProto),
        Node: p.Node,
        Retention: CommonMapper.FromProto(Required(p.Retention, "TopicInfo.retention")),
        Limits: p.Limits is null ? null : CommonMapper.FromProto(p.Limits));

    public static P.SubscriptionInfo ToProto(SubscriptionInfo m)
    {
        var p = new P.SubscriptionInfo
        {
            Name = m.Name,
            Watermark = m.Watermark,
            Pending = m.Pending,
            InFlight = m.InFlight,
            Consumers = m.Consumers,
            AckDeadline = m.AckDeadline.Ticks,
            MaxDeliveryAttempts = m.MaxDeliveryAttempts,
            OrderedByKey = m.OrderedByKey,
            DeadLettering = m.DeadLettering,
            OldestUnackedAge = m.OldestUnackedAge.Ticks,
            Dropped = m.Dropped,
            TransientDropped = m.TransientDropped,
            TransientWaiting = m.TransientWaiting,
        };
        if (m.Filter is not null) p.Filter = m.Filter;
        if (m.DeadLetters is { } deadLetters) p.DeadLetters = deadLetters;
        return p;
    }

    public static SubscriptionInfo FromProto(P.SubscriptionInfo p) => new(
        Name: p.Name,
        Watermark: p.Watermark,
        Pending: p.Pending,
        InFlight: p.InFlight,
        Consumers: p.Consumers,
        AckDeadline: new TimeSpan(p.AckDeadline),
        MaxDeliveryAttempts: p.MaxDeliveryAttempts,
        OrderedByKey: p.OrderedByKey,
        Filter: p.HasFilter ? p.Filter : null,
        DeadLettering: p.DeadLettering,
        OldestUnackedAge: new TimeSpan(p.OldestUnackedAge),
        DeadLetters: p.HasDeadLetters ? p.DeadLetters : null,
        Dropped: p.Dropped,
        TransientDropped: p.TransientDropped,
        TransientWaiting: p.TransientWaiting);

    public static P.Seek ToProto(Seek m)
    {
        var p = new P.Seek { Topic = m.Topic, Subscription = m.Subscription };
        if (m.Sequence is { } sequence) p.Sequence = sequence;
        if (m.Timestamp is { } timestamp) p.Timestamp = Ticks(timestamp);
        return p;
    }

    public static Seek FromProto(P.Seek p) => new(p.Topic, p.Subscription,
        p.HasSequence ? p.Sequence : null,
        p.HasTimestamp ? UtcDateTime(p.Timestamp, "Seek.timestamp") : null);

    public static P.SeekCompleted ToProto(SeekCompleted m) => new() { Topic = m.Topic, Subscription = m.Subscription, Sequence = m.Sequence };

    public static SeekCompleted FromProto(P.SeekCompleted p) => new(p.Topic, p.Subscription, p.Sequence);

    public static P.ConfigureTopic ToProto(ConfigureTopic m) => new()
    {
        Topic = m.Topic,
        Retention = m.Retention is null ? null : CommonMapper.ToProto(m.Retention),
        Limits = m.Limits is null ? null : CommonMapper.ToProto(m.Limits),
    };

    // Retention may be absent since limits came (the topic refuses a command with neither).
    public static ConfigureTopic FromProto(P.ConfigureTopic p) => new(
        p.Topic,
        p.Retention is null ? null : CommonMapper.FromProto(p.Retention),
        p.Limits is null ? null : CommonMapper.FromProto(p.Limits));

    public static P.TopicConfigured ToProto(TopicConfigured m) => new()
    {
        Topic = m.Topic,
        Retention = CommonMapper.ToProto(m.Retention),
        Limits = m.Limits is null ? null : CommonMapper.ToProto(m.Limits),
    };

    public static TopicConfigured FromProto(P.TopicConfigured p) => new(
        p.Topic,
        CommonMapper.FromProto(Required(p.Retention, "TopicConfigured.retention")),
        p.Limits is null ? null : CommonMapper.FromProto(p.Limits));

    public static P.RedriveMessages ToProto(RedriveMessages m) => new()
    {
        Topic = m.Topic,
        Subscription = m.Subscription,
        Messages = { Each(m.Messages, CommonMapper.ToProto) },
    };

    public static RedriveMessages FromProto(P.RedriveMessages p) => new(p.Topic, p.Subscription, List(p.Messages, CommonMapper.FromProto));

    public static P.MessagesRedriven ToProto(MessagesRedriven m) => new()
    {
        Topic = m.Topic,
        Subscription = m.Subscription,
        SequenceDeltas = { Deltas(m.Sequences) },
    };

    public static MessagesRedriven FromProto(P.MessagesRedriven p) => new(p.Topic, p.Subscription, FromDeltas(p.SequenceDeltas));

    // the full path with this node's address, so the receiving node resolves a remote ref back to us
    private static string ActorPath(IActorRef actorRef) => Akka.Serialization.Serialization.SerializedActorPath(actorRef);

    private static IActorRef ResolveActorRef(ExtendedActorSystem system, string path, string field)
    {
        try
        {
            return system.Provider.ResolveActorRef(path);
        }
        // Akka's path parser throws on some malformed paths (a non-numeric uid) instead of failing the resolve
        catch (Exception e) when (e is FormatException or ArgumentException or ArithmeticException)
        {
            throw new SerializationException($"Malformed input in {field}: '{path}' is not an actor path ({e.Message}).", e);
        }
    }
}
