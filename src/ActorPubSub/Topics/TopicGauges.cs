using ActorPubSub.Observability;
using ActorPubSub.Topics.Log;

namespace ActorPubSub.Topics;

/// <summary>
/// What the topic tells its gauges: each subscription's lag, oldest unacknowledged message, in-flight
/// deliveries, consumers and dead-letter depth. Fed after every journal write, tick and consumer change, so a
/// value is at most a write (or a tick, or a housekeeping round) old; the lag's age is computed when it is read.
/// </summary>
internal sealed class TopicGauges(TopicMetrics metrics, SubscriptionTable subscriptions, MessageLog log)
{
    public void Publish()
    {
        if (subscriptions.TakeSetChanged()) metrics.Subscriptions = [.. subscriptions.All.Select(s => s.Metrics)];
        var last = log.LastSequence;
        foreach (var sub in subscriptions.All)
            sub.Metrics.Update(sub.Pending(last), sub.OldestUnacked(last), sub.InFlight, sub.Consumers.Count,
                (sub.StoredDeadLetters ?? 0) + sub.Transfers.Count);
    }
}
