using Akka.Actor;
using Akka.Event;
using ActorPubSub.Topics.Log;
using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Remoting;

namespace ActorPubSub.Topics;

/// <summary>
/// The topic's administrative commands (create and delete a subscription, seek, redrive, configure the
/// retention and the limits): each is checked, applied to the parts, and turned into the events to write and the reply that
/// follows the write.
/// </summary>
/// <param name="unwatch">Stops watching a consumer of no subscription.</param>
internal sealed class TopicCommands(
    string topic, TopicRequests requests, SubscriptionTable subscriptions, MessageLog messages, PublishGate gate,
    RetentionPolicy retention, Action<IActorRef> unwatch, ILoggingAdapter log)
{
    /// <summary>What a command comes to.</summary>
    public abstract record Verdict;

    /// <summary>Answer at once (a rejection).</summary>
    public sealed record Reply(object Message, Then Then = Then.Nothing) : Verdict;

    /// <summary>Nothing changes; answer after any write in progress, so nothing is reported before it is durable.</summary>
    public sealed record ReplyAfterWrite(object Message) : Verdict;

    /// <summary>Buffer <paramref name="Events"/> (in order) for the next write and answer after it.</summary>
    public sealed record Write(IReadOnlyList<ITopicEvent> Events, object Message, Then Then) : Verdict;

    /// <summary>The command needs messages the log is reading back from the journal: handle it again after the read.</summary>
    public sealed record AfterRead : Verdict
    {
        public static readonly AfterRead Instance = new();
        private AfterRead() { }
    }

    public Verdict Create(CreateSubscription c)
    {
        if (requests.Validate(c.Topic, c.Subscription, nameof(CreateSubscription)) is { } invalid) return new Reply(invalid);
        if (requests.ValidateOptions(c) is { } error)
            return new Reply(requests.Rejected(c.Subscription, nameof(CreateSubscription), RejectionCode.Invalid, error));
        if (subscriptions.TryGet(c.Subscription, out var existing))
        {
            // Unset options mean "whatever it has": consumers attaching to an existing subscription accept them.
            var conflict = TopicRequests.Conflict(existing.Config, c);
            return new ReplyAfterWrite(conflict is null
                ? new SubscriptionCreated(topic, c.Subscription, existing.Watermark, AlreadyExisted: true)
                : requests.Rejected(c.Subscription, nameof(CreateSubscription), RejectionCode.Conflict,
                    $"Subscription '{c.Subscription}' exists with {conflict}; options are fixed at creation: delete it first to change them."));
        }
        var config = requests.ConfigFor(c);
        // Earliest: everything retained. Latest: everything accepted so far, including publishes still buffered.
        var watermark = c.Start == StartPosition.Earliest ? messages.FirstSequence - 1 : gate.NextSequence - 1;
        var added = new SubscriptionAdded(c.Subscription, watermark, config);
        subscriptions.Add(added);
        log.Info("Topic {Topic}: subscription {Subscription} created ({Options})", topic, c.Subscription,
            TopicRequests.Describe(c.Start, config));
        return new Write([added], new SubscriptionCreated(topic, c.Subscription, watermark, AlreadyExisted: false), Then.Write);
    }

    /// <summary>Deletes a subscription; its consumers are told (the caller stops watching those that consume no other).</summary>
    public Verdict Delete(DeleteSubscription d)
    {
        if (requests.Validate(d.Topic, d.Subscription, nameof(DeleteSubscription)) is { } invalid) return new Reply(invalid);
        if (subscriptions.Remove(d.Subscription) is not { } sub)
            return new ReplyAfterWrite(new SubscriptionDeleted(topic, d.Subscription, Existed: false));
        foreach (var consumer in sub.Consumers)
        {
            if (!subscriptions.IsConsumer(consumer.Actor)) unwatch(consumer.Actor);
            Outbound.Tell(consumer.Actor, requests.Rejected(d.Subscription, nameof(Consume), RejectionCode.UnknownSubscription,
                $"Subscription '{d.Subscription}' of topic '{topic}' was deleted."));
        }
        log.Info("Topic {Topic}: subscription {Subscription} deleted", topic, d.Subscription);
        return new Write([new SubscriptionRemoved(d.Subscription)], new SubscriptionDeleted(topic, d.Subscription, Existed: true),
            Then.Trim | Then.Write | Then.Gauges);
    }

    public Verdict Seek(Seek s, long now)
    {
        if (requests.Validate(s.Topic, s.Subscription, nameof(Seek)) is { } invalid) return new Reply(invalid);
        if (!subscriptions.TryGet(s.Subscription, out var sub)) return UnknownSubscription(s.Subscription, nameof(Seek));
        var (target, error, needsRead) = TopicRequests.ResolveSeek(s, sub.Watermark, messages);
        if (needsRead) return AfterRead.Instance;
        if (error is not null) return new Reply(requests.Rejected(s.Subscription, nameof(Seek), RejectionCode.Invalid, error));
        // Acks that arrived before the seek must be written before it, so a replay applies them in that order.
        var events = AcksSoFar();
        var moved = new CursorMoved(s.Subscription, target);
        subscriptions.MoveCursor(moved);
        events.Add(moved);
        log.Info("Topic {Topic}/{Subscription}: cursor moved to {Sequence}", topic, s.Subscription, target);
        subscriptions.Pump(sub, now);
        return new Write(events, new SeekCompleted(topic, s.Subscription, target), Then.Write | Then.Trim | Then.Tick);
    }

    public Verdict Redrive(RedriveMessages r, long now)
    {
        if (requests.Validate(r.Topic, r.Subscription, nameof(RedriveMessages)) is { } invalid) return new Reply(invalid);
        if (!subscriptions.TryGet(r.Subscription, out var sub)) return UnknownSubscription(r.Subscription, nameof(RedriveMessages));
        if (requests.ValidateRedrive(r, messages.LastSequence) is { } error)
            return new Reply(requests.Rejected(r.Subscription, nameof(RedriveMessages), RejectionCode.Invalid, error));
        // Acks that arrived before the redrive must be written before it: a replay that saw the redrive first
        // would treat an acknowledged message as still pending and then drop it with the ack.
        var events = AcksSoFar();
        events.Add(DeadLetterOutbox.Redrive(sub, r));
        log.Info("Topic {Topic}/{Subscription}: {Count} messages redriven from the dead-letter store", topic, sub.Name, r.Messages.Length);
        subscriptions.Pump(sub, now);
        return new Write(events, new MessagesRedriven(topic, sub.Name, [.. r.Messages.Select(m => m.Sequence)]), Then.Write);
    }

    public Verdict Configure(ConfigureTopic c)
    {
        if (requests.ValidateConfigure(c, c.Limits ?? retention.Limits) is { } error)
            return new Reply(requests.Rejected(null, nameof(ConfigureTopic), RejectionCode.Invalid, error));
        var events = new List<ITopicEvent>(2);
        if (c.Retention is { } kept)
        {
            retention.Configured = kept;
            events.Add(new RetentionChanged(kept));
            log.Info("Topic {Topic}: retention of acknowledged messages set to {MaxAge} / {MaxMessages} messages",
                topic, kept.MaxAge, kept.MaxMessages);
        }
        if (c.Limits is { } limits)
        {
            retention.ConfiguredLimits = limits;
            events.Add(new LimitsChanged(limits));
            log.Info("Topic {Topic}: limits set to max-retained-bytes {MaxBytes}, max-retained-messages {MaxMessages}, " +
                     "max-retained-age {MaxAge}, when-full {WhenFull} (0: no limit)", topic, limits.MaxBytes, limits.MaxMessages, limits.MaxAge, limits.WhenFull);
        }
        // The write's completion applies the limits at once (RetentionPolicy.Truncation after each write).
        return new Write(events, new TopicConfigured(topic, retention.Effective, retention.Limits), Then.Write | Then.Trim);
    }

    private Reply UnknownSubscription(string name, string command) =>
        new(requests.Unknown(name, command, topicExists: gate.NextSequence > 1 || subscriptions.Count > 0), Then.PassivateIfUnknown);

    /// <summary>Every subscription's unwritten acks, as the first event of an ordered write.</summary>
    private List<ITopicEvent> AcksSoFar() => subscriptions.TakeAcks() is { } acks ? [acks] : [];
}
