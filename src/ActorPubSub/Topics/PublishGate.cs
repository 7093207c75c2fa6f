using Akka.Event;
using ActorPubSub.Messages;

namespace ActorPubSub.Topics;

/// <summary>
/// The door of the publish path: checks a publish (topic, size, producer numbers, the publisher's message id,
/// room in the topic) and hands out its sequence number. It owns the producer and message-id tables that
/// dedup resends, and the next sequence number (also what a replay or a snapshot restores).
/// </summary>
internal sealed class PublishGate(string topic, TopicSettings settings, ILoggingAdapter log)
{
    /// <summary>What becomes of one publish.</summary>
    public abstract record Verdict;

    /// <summary>Stored: buffer <paramref name="Message"/> for the next write; the receipt follows it.</summary>
    public sealed record Accepted(TopicMessage Message, int Size, PublishReceipt Receipt) : Verdict;

    /// <summary>
    /// A resend of a message already stored: answer with the original's receipt, at once or, when its write
    /// is still under way, after it (<paramref name="AfterWrite"/>).
    /// </summary>
    public sealed record Duplicate(PublishReceipt Receipt, bool AfterWrite) : Verdict;

    /// <summary>
    /// No answer: a resend whose original's receipt is still to come, a number the producer gave up on, or one
    /// after a gap (<paramref name="Gap"/>: an earlier publish was lost on the way; it comes again in order).
    /// </summary>
    public sealed record Ignored(bool Gap) : Verdict;

    /// <summary>Refused with <paramref name="Rejection"/>.</summary>
    public sealed record Rejected(PublishRejected Rejection) : Verdict;

    public ProducerTable Producers { get; } = new();

    /// <summary>The system's publish check (the catalogue's contracts), asked before a publish is numbered; null in unit tests.</summary>
    public TopicPublishCheck? Checks { get; set; }

    public MessageIdTable MessageIds { get; } = new(settings.DedupWindow, settings.DedupMaxIds);

    /// <summary>The sequence number of the next stored message.</summary>
    public long NextSequence { get; private set; } = 1;

    /// <summary>Checks <paramref name="p"/> and, when accepted, numbers it and records it for dedup.</summary>
    /// <param name="lastPersisted">The last sequence in the log (written).</param>
    /// <param name="roomFor">
    /// Null when the topic has room for a message of the given size (it may trim to make room), else why not.
    /// </param>
    public Verdict Check(Publish p, long lastPersisted, long now, DateTime utcNow, Func<int, string?> roomFor)
    {
        if (!string.Equals(p.Topic, topic, StringComparison.Ordinal))
            return Reject(p, RejectionCode.Invalid, $"Publish for topic '{p.Topic}' reached topic '{topic}'.");
        var size = MessageSize.Of(p.Payload, p.Key, p.Headers, p.MessageId);
        if (size > settings.MaxMessageSize)
        {
            // Refused in its producer's turn, so the producer's next numbers are not held back behind it.
            if (p.ProducerId is not null && p.ProducerSeq > 0 &&
                Producers.Check(p.ProducerId, p.ProducerSeq, p.ProducerFloor, lastPersisted, now).Verdict == ProducerTable.Verdict.Accept)
                Producers.Refused(p.ProducerId, p.ProducerSeq, p.ProducerFloor, now);
            return Reject(p, RejectionCode.Invalid,
                $"The message is {size} bytes (payload, key, headers and id); max-message-size allows {settings.MaxMessageSize}.");
        }

        if (p.ProducerId is not null)
        {
            if (p.ProducerSeq <= 0)
                return Reject(p, RejectionCode.Invalid, $"ProducerSeq must be 1 or more with a producer id, was {p.ProducerSeq}.");
            var (verdict, seq) = Producers.Check(p.ProducerId, p.ProducerSeq, p.ProducerFloor, lastPersisted, now);
            switch (verdict)
            {
                case ProducerTable.Verdict.Duplicate:
                    return new Duplicate(new PublishReceipt(topic, seq, p.ProducerId, p.ProducerSeq, Duplicate: true), AfterWrite: false);
                case ProducerTable.Verdict.DuplicatePending:   // the original's receipt follows its write
                case ProducerTable.Verdict.Stale:
                    return new Ignored(Gap: false);
                case ProducerTable.Verdict.Gap:
                    // An earlier publish of this producer was lost on the way (sharding is at-most-once); it
                    // resends in order, so this one comes again after it.
                    log.Debug("Topic {Topic}: producer {ProducerId} sent {ProducerSeq} after a gap; waiting for its resend",
                        topic, p.ProducerId, p.ProducerSeq);
                    return new Ignored(Gap: true);
            }
        }

        if (p.MessageId is { } messageId && MessageIds.TryGet(messageId, utcNow, out var original))
        {
            // The publisher's own id repeats within the dedup window: confirm the original, store nothing.
            if (p.ProducerId is not null) Producers.Record(p.ProducerId, p.ProducerSeq, original, p.ProducerFloor, now);
            return new Duplicate(new PublishReceipt(topic, original, p.ProducerId, p.ProducerSeq, Duplicate: true),
                AfterWrite: original > lastPersisted);
        }

        if (Checks?.Current is { } check)
        {
            var checkedPublish = p;
            if (check.Refusal(topic, ref checkedPublish) is { } violation)
            {
                // Refused in its producer's turn, as an oversized message: the producer's next numbers are not held back.
                if (p.ProducerId is not null) Producers.Refused(p.ProducerId, p.ProducerSeq, p.ProducerFloor, now);
                return Reject(p, RejectionCode.ContractViolation, violation);
            }
            if (!ReferenceEquals(checkedPublish, p))
            {
                p = checkedPublish;   // a header added (the schema version checked against)
                size = MessageSize.Of(p.Payload, p.Key, p.Headers, p.MessageId);
            }
        }

        if (roomFor(size) is { } full)
        {
            if (p.ProducerId is not null) Producers.Refused(p.ProducerId, p.ProducerSeq, p.ProducerFloor, now);
            return Reject(p, RejectionCode.TopicFull, full);
        }

        var sequence = NextSequence++;
        var message = new TopicMessage(sequence, DateTime.UtcNow, p.Payload, p.Key, p.Headers, p.MessageId);
        if (p.MessageId is not null) MessageIds.Record(p.MessageId, sequence, message.Timestamp);
        if (p.ProducerId is not null) Producers.Record(p.ProducerId, p.ProducerSeq, sequence, p.ProducerFloor, now);
        return new Accepted(message, size, new PublishReceipt(topic, sequence, p.ProducerId, p.ProducerSeq, Duplicate: false));
    }

    /// <summary>A written (or replayed) batch: the numbering carries on after it; a replay also restores dedup.</summary>
    public void Appended(MessagesAppended e, bool replay, long now)
    {
        if (e.Messages.Length > 0) NextSequence = Math.Max(NextSequence, e.Messages[^1].Sequence + 1);
        if (!replay) return;   // live, producers and ids were recorded on accept
        var idCutoff = DateTime.UtcNow - settings.DedupWindow;
        foreach (var m in e.Messages)
            if (m.MessageId is not null && m.Timestamp >= idCutoff) MessageIds.Record(m.MessageId, m.Sequence, m.Timestamp);
        foreach (var run in e.Producers) Producers.Restore(run, now);
    }

    /// <summary>A snapshot: numbering, producer runs and message ids as they were.</summary>
    public void Restore(TopicSnapshot snapshot, long now)
    {
        NextSequence = snapshot.LastSequence + 1;
        foreach (var run in snapshot.Producers) Producers.Restore(run, now);
        foreach (var id in snapshot.MessageIds) MessageIds.Record(id.MessageId, id.Sequence, id.Timestamp);
    }

    /// <summary>Forgets silent producers and ids outside the dedup window.</summary>
    public void Expire(long now, DateTime utcNow)
    {
        Producers.Expire(now, (long)settings.ProducerExpiry.TotalMilliseconds);
        MessageIds.Expire(utcNow);
    }

    private Rejected Reject(Publish p, RejectionCode code, string reason)
    {
        log.Debug("Topic {Topic}: publish rejected ({Code}): {Reason}", topic, code, reason);
        return new(new PublishRejected(p.Topic, p.ProducerId, p.ProducerSeq, code, reason));
    }
}
