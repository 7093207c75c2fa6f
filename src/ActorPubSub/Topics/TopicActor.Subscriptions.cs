using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using ActorPubSub.Filters;
using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Messages;

namespace ActorPubSub.Topics;

/// <summary>Creating and deleting a topic's durable subscriptions, seeking them, and the topic's retention.</summary>
internal sealed partial class TopicActor
{
    private void HandleCreateSubscription(CreateSubscription c)
    {
        if (ValidateCommand(c.Topic, c.Subscription, nameof(CreateSubscription)) is { } invalid)
        {
            Sender.Tell(invalid);
            return;
        }
        if (ValidateOptions(c) is { } error)
        {
            Sender.Tell(Rejected(c.Subscription, nameof(CreateSubscription), RejectionCode.Invalid, error));
            return;
        }
        if (_subscriptions.TryGetValue(c.Subscription, out var existing))
        {
            // Unset options mean "whatever it has": consumers attaching to an existing subscription accept them.
            var conflict = Conflict(existing.Config, c);
            var reply = conflict is null
                ? (object)new SubscriptionCreated(_topic, c.Subscription, existing.Watermark, AlreadyExisted: true)
                : Rejected(c.Subscription, nameof(CreateSubscription), RejectionCode.Conflict,
                    $"Subscription '{c.Subscription}' exists with {conflict}; options are fixed at creation: delete it first to change them.");
            // Answer after any write in progress, so "exists" is never reported before it is durable.
            ReplyAfterWrite(reply);
            return;
        }

        var config = new SubscriptionConfig(
            c.AckDeadline == TimeSpan.Zero ? _settings.DefaultAckDeadline : c.AckDeadline,
            c.MaxDeliveryAttempts == 0 ? _settings.DefaultMaxDeliveryAttempts : c.MaxDeliveryAttempts,
            c.Backoff ?? _settings.DefaultBackoff,
            c.OrderedByKey ?? false,
            c.Filter,
            Guid.NewGuid());
        // Earliest: everything retained. Latest: everything accepted so far, including publishes still buffered.
        var watermark = c.Start == StartPosition.Earliest ? _messages.FirstSequence - 1 : _nextSequence - 1;
        var added = new SubscriptionAdded(c.Subscription, watermark, config);
        ApplySubscriptionAdded(added);
        _bufferedControl.Add(added);
        _bufferedReplies.Add(new Reply(Sender, new SubscriptionCreated(_topic, c.Subscription, watermark, AlreadyExisted: false)));
        _log.Info("Topic {0}: subscription {1} created ({2})", _topic, c.Subscription,
            $"from {c.Start}, ack deadline {config.AckDeadline}, max attempts {config.MaxDeliveryAttempts}" +
            (config.OrderedByKey ? ", ordered by key" : "") + (config.Filter is null ? "" : $", filter {config.Filter}"));
        TryWrite();
    }

    private string? ValidateOptions(CreateSubscription c)
    {
        if (c.AckDeadline != TimeSpan.Zero && (c.AckDeadline < TimeSpan.FromMilliseconds(100) || c.AckDeadline > TimeSpan.FromDays(1)))
            return $"AckDeadline is {c.AckDeadline}; it must be between 100 ms and 1 day (or zero for the default {_settings.DefaultAckDeadline}).";
        if (!Enum.IsDefined(c.Start))
            return $"Start position {(int)c.Start} is unknown; use Earliest or Latest.";
        if (c.MaxDeliveryAttempts is < 0 or > SubscriptionLimits.MaxDeliveryAttempts)
            return $"MaxDeliveryAttempts is {c.MaxDeliveryAttempts}; it must be between 1 and {SubscriptionLimits.MaxDeliveryAttempts} (or 0 for the default {_settings.DefaultMaxDeliveryAttempts}).";
        if (c.Backoff?.Validate() is { } backoff)
            return backoff;
        if (c.Filter is not null && !HeaderFilter.TryParse(c.Filter, out _, out var filterError))
            return filterError!.Message;
        return null;
    }

    /// <summary>The first option set to something other than the existing subscription has, or null.</summary>
    private static string? Conflict(SubscriptionConfig existing, CreateSubscription c)
    {
        if (c.AckDeadline != TimeSpan.Zero && c.AckDeadline != existing.AckDeadline)
            return $"ack deadline {existing.AckDeadline}, not {c.AckDeadline}";
        if (c.MaxDeliveryAttempts != 0 && c.MaxDeliveryAttempts != existing.MaxDeliveryAttempts)
            return $"max delivery attempts {existing.MaxDeliveryAttempts}, not {c.MaxDeliveryAttempts}";
        if (c.Backoff is { } backoff && backoff != existing.Backoff)
            return $"backoff {existing.Backoff}, not {backoff}";
        if (c.OrderedByKey is { } ordered && ordered != existing.OrderedByKey)
            return ordered ? "no ordering by key" : "ordering by key";
        if (c.Filter is not null && !string.Equals(c.Filter, existing.Filter, StringComparison.Ordinal))
            return existing.Filter is null ? "no filter" : $"filter {existing.Filter}";
        return null;
    }

    private void ApplySubscriptionAdded(SubscriptionAdded e)
    {
        // A topic may have dropped unsubscribed messages since the watermark was chosen.
        var watermark = Math.Max(e.Watermark, _messages.FirstSequence - 1);
        var sub = NewSubscription(e.Subscription, watermark, e.Config);
        _subscriptions[e.Subscription] = sub;
        _subscriptionSetChanged = true;
        FilterRetained(sub, watermark + 1);
    }

    private SubscriptionState NewSubscription(string name, long watermark, SubscriptionConfig config)
    {
        // The filter was validated at creation; a stored one that no longer parses would be a bug worth stopping for.
        var filter = config.Filter is null ? null : HeaderFilter.Parse(config.Filter);
        return new SubscriptionState(name, watermark, config, _messages, filter is null ? null : filter.Matches,
            _metrics.ForSubscription(name));
    }

    /// <summary>Acknowledges the retained messages from <paramref name="from"/> that the subscription's filter refuses.</summary>
    private void FilterRetained(SubscriptionState sub, long from)
    {
        if (sub.Config.Filter is null) return;
        foreach (var m in _messages.All())
            if (m.Sequence >= from) sub.ApplyFilter(m);
    }

    private void HandleDeleteSubscription(DeleteSubscription d)
    {
        if (ValidateCommand(d.Topic, d.Subscription, nameof(DeleteSubscription)) is { } invalid)
        {
            Sender.Tell(invalid);
            return;
        }
        if (!_subscriptions.Remove(d.Subscription, out var sub))
        {
            ReplyAfterWrite(new SubscriptionDeleted(_topic, d.Subscription, Existed: false));
            return;
        }
        _subscriptionSetChanged = true;
        foreach (var consumer in sub.Consumers)
        {
            UnwatchIfUnused(consumer.Actor);
            consumer.Actor.Tell(Rejected(d.Subscription, nameof(Consume), RejectionCode.UnknownSubscription,
                $"Subscription '{d.Subscription}' of topic '{_topic}' was deleted."));
        }
        _bufferedControl.Add(new SubscriptionRemoved(d.Subscription));
        _bufferedReplies.Add(new Reply(Sender, new SubscriptionDeleted(_topic, d.Subscription, Existed: true)));
        _log.Info("Topic {0}: subscription {1} deleted", _topic, d.Subscription);
        Trim();
        TryWrite();
        PublishGauges();
    }

    private void HandleSeek(Seek s)
    {
        if (ValidateCommand(s.Topic, s.Subscription, nameof(Seek)) is { } invalid)
        {
            Sender.Tell(invalid);
            return;
        }
        if (FindSubscription(s.Subscription, nameof(Seek), Sender) is not { } sub) return;
        if (ResolveSeek(s, sub) is not { } target)
            return;
        // Acks that arrived before the seek must be written before it, so a replay applies them in that order.
        FlushAcksToControl();
        var moved = new CursorMoved(s.Subscription, target);
        ApplyCursorMoved(moved);
        _bufferedControl.Add(moved);
        _bufferedReplies.Add(new Reply(Sender, new SeekCompleted(_topic, s.Subscription, target)));
        _log.Info("Topic {0}/{1}: cursor moved to {2}", _topic, s.Subscription, target);
        TryWrite();
        Trim();
        Pump(sub);
        EnsureTicking();
    }

    /// <summary>The sequence a seek goes to, or null after answering why it cannot.</summary>
    private long? ResolveSeek(Seek s, SubscriptionState sub)
    {
        var last = _messages.LastSequence;
        string? error = null;
        long target = 0;
        if (s.Sequence.HasValue == s.Timestamp.HasValue)
            error = "Seek needs exactly one of Sequence and Timestamp.";
        else if (s.Timestamp is { } timestamp)
        {
            // The first retained message published at or after the time; the end when there is none.
            target = last + 1;
            foreach (var m in _messages.All())
                if (m.Timestamp >= timestamp.ToUniversalTime()) { target = m.Sequence; break; }
        }
        else if (s.Sequence is { } seq)
        {
            target = seq;
            if (seq < 1 || seq > last + 1)
                error = $"Sequence {seq} is outside the topic: it must be between 1 and {last + 1} (the next message).";
            else if (seq <= sub.Watermark && seq < _messages.FirstSequence)
                error = $"Sequence {seq} is no longer retained: the oldest retained message is {_messages.FirstSequence}. " +
                        "Keep acknowledged messages longer with the topic's retention (ConfigureTopic).";
        }
        if (error is null) return target;
        Sender.Tell(Rejected(s.Subscription, nameof(Seek), RejectionCode.Invalid, error));
        return null;
    }

    private void ApplyCursorMoved(CursorMoved e)
    {
        if (!_subscriptions.TryGetValue(e.Subscription, out var sub)) return;
        sub.MoveCursor(e.Sequence);
        FilterRetained(sub, e.Sequence);
    }

    private void HandleConfigureTopic(ConfigureTopic c)
    {
        var error = !string.Equals(c.Topic, _topic, StringComparison.Ordinal)
            ? $"ConfigureTopic for topic '{c.Topic}' reached topic '{_topic}'."
            : c.Retention is null ? "Retention is required." : c.Retention.Validate(_settings.MaxRetainedMessages);
        if (error is not null || c.Retention is null)
        {
            Sender.Tell(Rejected(null, nameof(ConfigureTopic), RejectionCode.Invalid, error ?? "Retention is required."));
            return;
        }
        _retention = c.Retention;
        _bufferedControl.Add(new RetentionChanged(c.Retention));
        _bufferedReplies.Add(new Reply(Sender, new TopicConfigured(_topic, c.Retention)));
        _log.Info("Topic {0}: retention of acknowledged messages set to {1} / {2} messages", _topic, c.Retention.MaxAge, c.Retention.MaxMessages);
        TryWrite();
        Trim();
    }

    /// <summary>Moves every subscription's unwritten acks into the ordered control events of the next write.</summary>
    private void FlushAcksToControl()
    {
        var acks = ImmutableArray.CreateBuilder<SubscriptionAcks>();
        foreach (var sub in _subscriptions.Values)
            if (sub.UnflushedAckCount > 0)
                acks.Add(new SubscriptionAcks(sub.Name, [.. sub.TakeUnflushedAcks()]));
        if (acks.Count > 0) _bufferedControl.Add(new AcksRecorded(acks.ToImmutable()));
    }

    private void ReplyAfterWrite(object reply)
    {
        if (_writing) _bufferedReplies.Add(new Reply(Sender, reply));
        else Sender.Tell(reply);
    }
}
