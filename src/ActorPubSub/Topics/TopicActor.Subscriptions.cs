using Akka.Actor;
using ActorPubSub.Subscriptions;

namespace ActorPubSub.Topics;

/// <summary>Creating and deleting a topic's durable subscriptions.</summary>
internal sealed partial class TopicActor
{
    private void HandleCreateSubscription(CreateSubscription c)
    {
        var ackDeadline = c.AckDeadline == TimeSpan.Zero ? _settings.DefaultAckDeadline : c.AckDeadline;
        if (ValidateCommand(c.Topic, c.Subscription, nameof(CreateSubscription)) is { } invalid)
        {
            Sender.Tell(invalid);
            return;
        }
        if (ackDeadline < TimeSpan.FromMilliseconds(100) || ackDeadline > TimeSpan.FromDays(1))
        {
            Sender.Tell(Rejected(c.Subscription, nameof(CreateSubscription), RejectionCode.Invalid,
                $"AckDeadline is {ackDeadline}; it must be between 100 ms and 1 day (or zero for the default {_settings.DefaultAckDeadline})."));
            return;
        }
        if (!Enum.IsDefined(c.Start))
        {
            Sender.Tell(Rejected(c.Subscription, nameof(CreateSubscription), RejectionCode.Invalid,
                $"Start position {(int)c.Start} is unknown; use Earliest or Latest."));
            return;
        }
        if (_subscriptions.TryGetValue(c.Subscription, out var existing))
        {
            // Zero means "not specified": consumers attaching to an existing subscription accept its options.
            var reply = c.AckDeadline == TimeSpan.Zero || existing.AckDeadline == ackDeadline
                ? (object)new SubscriptionCreated(_topic, c.Subscription, existing.Watermark, AlreadyExisted: true)
                : Rejected(c.Subscription, nameof(CreateSubscription), RejectionCode.Conflict,
                    $"Subscription '{c.Subscription}' exists with ack deadline {existing.AckDeadline}, not {ackDeadline}; delete it first to change it.");
            // Answer after any write in progress, so "exists" is never reported before it is durable.
            ReplyAfterWrite(reply);
            return;
        }

        // Earliest: everything retained. Latest: everything accepted so far, including publishes still buffered.
        var watermark = c.Start == StartPosition.Earliest ? _messages.FirstSequence - 1 : _nextSequence - 1;
        var added = new SubscriptionAdded(c.Subscription, watermark, ackDeadline);
        ApplySubscriptionAdded(added);
        _bufferedControl.Add(added);
        _bufferedReplies.Add(new Reply(Sender, new SubscriptionCreated(_topic, c.Subscription, watermark, AlreadyExisted: false)));
        TryWrite();
    }

    private void ApplySubscriptionAdded(SubscriptionAdded e)
    {
        // A topic may have dropped unsubscribed messages since the watermark was chosen.
        var watermark = Math.Max(e.Watermark, _messages.FirstSequence - 1);
        _subscriptions[e.Subscription] = new SubscriptionState(e.Subscription, watermark, e.AckDeadline);
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
        foreach (var consumer in sub.Consumers)
        {
            UnwatchIfUnused(consumer.Actor);
            consumer.Actor.Tell(Rejected(d.Subscription, nameof(Consume), RejectionCode.UnknownSubscription,
                $"Subscription '{d.Subscription}' of topic '{_topic}' was deleted."));
        }
        _bufferedControl.Add(new SubscriptionRemoved(d.Subscription));
        _bufferedReplies.Add(new Reply(Sender, new SubscriptionDeleted(_topic, d.Subscription, Existed: true)));
        Trim();
        TryWrite();
    }

    private void ReplyAfterWrite(object reply)
    {
        if (_writing) _bufferedReplies.Add(new Reply(Sender, reply));
        else Sender.Tell(reply);
    }
}
