using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Messages;

namespace ActorPubSub.Topics;

/// <summary>What the topic tells the gauges, and what it learns from its dead-letter stores for them.</summary>
internal sealed partial class TopicActor
{
    /// <summary>
    /// Publishes each subscription's lag, oldest unacknowledged message, in-flight deliveries, consumers and
    /// dead-letter depth for the gauges. Called after every journal write, tick and consumer change, so a value
    /// is at most a write (or a tick, or a housekeeping round) old; the lag's age is computed when it is read.
    /// </summary>
    private void PublishGauges()
    {
        if (_subscriptionSetChanged)
        {
            _subscriptionSetChanged = false;
            _metrics.Subscriptions = [.. _subscriptions.Values.Select(s => s.Metrics)];
        }
        var last = _messages.LastSequence;
        foreach (var sub in _subscriptions.Values)
            sub.Metrics.Update(sub.Pending(last), sub.OldestUnacked(last), sub.InFlight, sub.Consumers.Count,
                (sub.StoredDeadLetters ?? 0) + sub.Transfers.Count);
    }

    private void HandleDeadLetterCount(DeadLetterCount count)
    {
        if (!_subscriptions.TryGetValue(count.Subscription, out var sub)) return;
        sub.StoredDeadLetters = count.Count;
        PublishGauges();
    }

    /// <summary>
    /// A recovered topic does not know how many letters its subscription's store holds: it asks the stores of
    /// subscriptions that dead-lettered before (an empty intake, which every store answers with its count). Others
    /// report theirs at their next change; a subscription that never dead-lettered wakes no store.
    /// </summary>
    private void AskDeadLetterCount(SubscriptionState sub)
    {
        if (sub.LastTransferId == 0 || sub.Transfers.Count > 0) return;   // transfers being sent are answered with the count too
        _deadLetters.Tell(new StoreDeadLetters(_topic, sub.Name, sub.Config.Incarnation, []), Self);
    }
}
