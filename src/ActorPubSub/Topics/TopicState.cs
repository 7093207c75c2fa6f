using Akka.Actor;
using Akka.Event;
using ActorPubSub.Memory;
using ActorPubSub.Observability;
using ActorPubSub.Topics.Log;

namespace ActorPubSub.Topics;

/// <summary>
/// Everything a topic knows, as its named parts: the message log, the publish gate, the group commit, the
/// subscriptions, the dead-letter outbox, the retention and snapshot policies and the gauges. Replaying a
/// journal event and applying a written one both land here, so a recovered topic is the one that was written.
/// Plain: the <see cref="TopicActor"/> owns it and does the persisting and the timers.
/// </summary>
internal sealed class TopicState
{
    /// <param name="deadLetters">The dead-letter shard region.</param>
    /// <param name="self">The topic actor (the dead-letter store answers it).</param>
    /// <param name="watch">Watches a consumer.</param>
    /// <param name="unwatch">Stops watching a consumer.</param>
    /// <param name="memory">The node's memory budget the log's window counts against; null: not counted.</param>
    public TopicState(string topic, TopicSettings settings, IActorRef deadLetters, IActorRef self,
        Action<IActorRef> watch, Action<IActorRef> unwatch, ILoggingAdapter log, NodeMemory? memory = null)
    {
        Topic = topic;
        Log = new MessageLog(settings.Log, memory);
        Metrics = new TopicMetrics(topic);
        Gate = new PublishGate(topic, settings, log);
        Commit = new GroupCommit(settings.MaxWriteBatchMessages, settings.MaxWriteBatchBytes);
        Subscriptions = new SubscriptionTable(topic, settings, Log, Metrics);
        DeadLetters = new DeadLetterOutbox(topic, deadLetters, self, log);
        Retention = new RetentionPolicy(topic, settings, Log, Subscriptions);
        Snapshots = new SnapshotPolicy(settings.MinSnapshotBytes);
        Gauges = new TopicGauges(Metrics, Subscriptions, Log);
        var requests = new TopicRequests(topic, settings);
        Commands = new TopicCommands(topic, requests, Subscriptions, Log, Gate, Retention, unwatch, log);
        Consumers = new ConsumerProtocol(topic, settings, Subscriptions, requests, () => Exists, BufferDeliveryEvent,
            watch, unwatch, log);
        // What is buffered and what is being written counts too, so the limit is never overshot.
        RoomFor = size => Retention.RoomFor(size, Commit.PendingMessages, Commit.PendingBytes);
    }

    public string Topic { get; }
    public MessageLog Log { get; }
    public PublishGate Gate { get; }
    public GroupCommit Commit { get; }
    public SubscriptionTable Subscriptions { get; }
    public DeadLetterOutbox DeadLetters { get; }
    public RetentionPolicy Retention { get; }
    public SnapshotPolicy Snapshots { get; }
    public TopicGauges Gauges { get; }
    public TopicMetrics Metrics { get; }
    public TopicCommands Commands { get; }
    public ConsumerProtocol Consumers { get; }

    /// <summary>Null when a publish of the given size fits (see <see cref="RetentionPolicy.RoomFor"/>), else why not.</summary>
    public Func<int, string?> RoomFor { get; }

    /// <summary>The topic ever had a message or has a subscription.</summary>
    public bool Exists => Gate.NextSequence > 1 || Subscriptions.Count > 0;

    /// <summary>Applies a journal event read back during recovery (at <paramref name="journalSeqNr"/>).</summary>
    public void Replay(ITopicEvent e, long journalSeqNr, long now, DateTime utcNow)
    {
        switch (e)
        {
            case MessagesAppended appended: Append(appended, journalSeqNr, replay: true, now); break;
            case LogTruncated truncated: Truncate(truncated); break;
            case SubscriptionAdded added: Subscriptions.Add(added); break;
            case SubscriptionRemoved removed: Subscriptions.Remove(removed.Subscription); break;
            case AcksRecorded acks:
                Subscriptions.RestoreAcks(acks);
                Snapshots.Replayed(acks);
                break;
            case DeliveriesFailed failed:
                Subscriptions.RestoreFailures(failed, now, utcNow);
                Snapshots.Replayed(failed);
                break;
            case MessagesDeadLettered dead: DeadLetterOutbox.Apply(Subscriptions, dead, persisted: true); break;
            case DeadLettersConfirmed confirmed:
                if (Subscriptions.TryGet(confirmed.Subscription, out var sub)) sub.ConfirmTransfers(confirmed.UpToId);
                break;
            case RedriveRecorded redrive:
                if (Subscriptions.TryGet(redrive.Subscription, out var redriven)) redriven.Redrive(redrive.Messages);
                break;
            case CursorMoved moved: Subscriptions.MoveCursor(moved); break;
            case RetentionChanged retention: Retention.Configured = retention.Retention; break;
            case LimitsChanged limits: Retention.ConfiguredLimits = limits.Limits; break;
        }
    }

    /// <summary>
    /// Applies an event the journal just wrote. Subscription changes and acks were applied when they arrived;
    /// only messages wait for the journal, and dead-letterings go to the store only once written.
    /// </summary>
    public void Written(ITopicEvent e, long journalSeqNr, long now)
    {
        switch (e)
        {
            case MessagesAppended appended:
                Append(appended, journalSeqNr, replay: false, now);
                Metrics.Published(appended.Messages.Length);
                return;
            case MessagesDeadLettered dead: DeadLetters.Written(Subscriptions, dead); break;
        }
        Snapshots.Written(e);
    }

    public void Restore(TopicSnapshot snapshot, long now, DateTime utcNow) =>
        TopicSnapshots.Restore(snapshot, Log, Subscriptions, Gate, Retention, now, utcNow);

    public TopicSnapshot Capture(DateTime utcNow) => TopicSnapshots.Capture(Log, Subscriptions, Gate, Retention, utcNow);

    /// <summary>
    /// Applies what the limits drop now (max age, drop-oldest) and buffers its event for the next write; true when
    /// something was dropped.
    /// </summary>
    public bool TruncateToLimits(DateTime utcNow)
    {
        if (Retention.Truncation(utcNow) is not { } truncated) return false;
        Truncate(truncated);
        Commit.AddControl(truncated);
        return true;
    }

    private void Truncate(LogTruncated e)
    {
        Subscriptions.Truncated(e.FirstSequence);
        Log.DropBelow(e.FirstSequence);
    }

    /// <summary>Recovered: trims, and resends what the dead-letter stores have not confirmed.</summary>
    public void Recovered()
    {
        Retention.Trim();
        foreach (var sub in Subscriptions.All)
        {
            DeadLetters.Send(sub);
            DeadLetters.AskCount(sub);
        }
    }

    /// <summary>
    /// Checks one publish and buffers it for the next write; returns the reply to send now (a duplicate's
    /// receipt, a rejection), or null when the reply follows a write or there is none.
    /// </summary>
    public object? Accept(Publish p, IActorRef sender, long now, DateTime utcNow, bool compactReceipts = false)
    {
        switch (Gate.Check(p, Log.LastSequence, now, utcNow, RoomFor))
        {
            case PublishGate.Accepted accepted:
                Commit.AddMessage(accepted.Message, accepted.Size, p.ProducerId, p.ProducerSeq);
                Commit.AddReply(sender, accepted.Receipt, compactReceipts);
                return null;
            case PublishGate.Duplicate { AfterWrite: true } duplicate:   // the original's write is under way: confirm after it
                Commit.AddReply(sender, duplicate.Receipt, compactReceipts);
                return null;
            case PublishGate.Duplicate duplicate: return duplicate.Receipt;
            case PublishGate.Rejected rejected: return rejected.Rejection;
            default: return null;
        }
    }

    /// <summary>Periodic: silent consumers leave, unconfirmed transfers go again, old dedup entries go.</summary>
    public void Housekeeping(long now, DateTime utcNow)
    {
        Consumers.ExpireSilent(now);
        // Transfers the store has not confirmed yet (lost on the way, or the store was down) go again.
        foreach (var sub in Subscriptions.All) DeadLetters.Send(sub);
        Gate.Expire(now, utcNow);
    }

    public TopicInfo Info(string address) =>
        new(Topic, Exists, Log.LastSequence, Log.FirstSequence, Log.Count, Log.Bytes, Subscriptions.Describe(Log.LastSequence),
            address, Retention.Effective, Retention.Limits);

    /// <summary>Buffers a failure or dead-lettering event for the next write (a dead-lettering is reported now).</summary>
    private void BufferDeliveryEvent(ITopicEvent e)
    {
        if (e is MessagesDeadLettered dead) DeadLetters.Report(Subscriptions, dead);
        Commit.AddDeliveryEvent(e);
    }

    private void Append(MessagesAppended e, long journalSeqNr, bool replay, long now)
    {
        Log.Appended(journalSeqNr, e.Messages);
        Subscriptions.Appended(e);
        Gate.Appended(e, replay, now);
        if (replay) Snapshots.Replayed(e);
        else Snapshots.Written(e);
    }
}
