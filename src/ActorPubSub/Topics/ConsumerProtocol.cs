using Akka.Actor;
using Akka.Event;
using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Remoting;

namespace ActorPubSub.Topics;

/// <summary>
/// The topic's side of the consumer protocol: consumers register and renew (Consume), leave (StopConsuming,
/// termination, silence), ack and nack; transient batches fan out to them. Works on the
/// <see cref="SubscriptionTable"/> and says what the topic must do next.
/// </summary>
/// <param name="deliveryEvents">Where failures and dead-letterings go (buffered for the next write).</param>
/// <param name="watch">Watches a new consumer (its termination removes it).</param>
/// <param name="unwatch">Stops watching a consumer of no subscription.</param>
internal sealed class ConsumerProtocol(
    string topic, TopicSettings settings, SubscriptionTable subscriptions, TopicRequests requests, Func<bool> topicExists,
    Action<ITopicEvent> deliveryEvents, Action<IActorRef> watch, Action<IActorRef> unwatch, ILoggingAdapter log)
{
    private readonly TransientCredit _credit = new(settings.TransientCreditPool);

    public Then Consume(Consume c, long now)
    {
        if (Find(c.Subscription, nameof(Consume), c.Consumer) is not { } sub) return Then.PassivateIfUnknown;
        if (SubscriptionLimits.CheckMaxInFlight("MaxInFlight", c.MaxInFlight) is { } windowError)
        {
            Outbound.Tell(c.Consumer, requests.Rejected(c.Subscription, nameof(Consume), RejectionCode.Invalid, windowError));
            return Then.Nothing;
        }
        if (!SubscriptionTable.Consume(sub, c, now))
        {
            subscriptions.Pump(sub, now);
            return Then.Tick;
        }
        watch(c.Consumer);
        Outbound.Tell(c.Consumer, new ConsumerRegistered(topic, c.Subscription));
        log.Info("Topic {Topic}/{Subscription}: consumer {Consumer} joined (window {MaxInFlight}); {Consumers} consumers",
            topic, c.Subscription, c.Consumer.Path.ToString(), c.MaxInFlight, sub.Consumers.Count);
        subscriptions.Pump(sub, now);   // after the welcome: it arrives before the first delivery
        return Then.Gauges | Then.Tick;
    }

    public Then StopConsuming(StopConsuming s, long now)
    {
        if (!subscriptions.TryGet(s.Subscription, out var sub) || !sub.RemoveConsumer(s.Consumer)) return Then.Nothing;
        log.Info("Topic {Topic}/{Subscription}: consumer {Consumer} left (stopped); {Consumers} consumers",
            topic, sub.Name, s.Consumer.Path.ToString(), sub.Consumers.Count);
        UnwatchIfUnused(s.Consumer);
        subscriptions.Pump(sub, now);
        return Then.Gauges;
    }

    /// <summary>The consumer (or a transient publisher) stopped or its node left: it leaves every subscription.</summary>
    public Then Terminated(IActorRef consumer, long now)
    {
        if (_credit.IsPublisher(consumer))
        {
            _credit.Gone(consumer, subscriptions.TransientParked(consumer));
            log.Debug("Topic {Topic}: transient publisher {Publisher} left; its unused credit returns to the pool",
                topic, consumer.Path.ToString());
        }
        var left = subscriptions.RemoveConsumer(consumer, now);
        foreach (var sub in left)
            log.Info("Topic {Topic}/{Subscription}: consumer {Consumer} left (terminated: stopped or its node left); {Consumers} consumers",
                topic, sub.Name, consumer.Path.ToString(), sub.Consumers.Count);
        return left.Count > 0 ? Then.Gauges : Then.Nothing;
    }

    /// <summary>Consumers silent for consumer-timeout leave; their deliveries go to the others.</summary>
    public void ExpireSilent(long now)
    {
        foreach (var (sub, consumer) in subscriptions.ExpireConsumers(now - (long)settings.ConsumerTimeout.TotalMilliseconds, now))
        {
            log.Info("Topic {Topic}/{Subscription}: consumer {Consumer} left (silent for {ConsumerTimeout}); its deliveries go to the others",
                topic, sub.Name, consumer.Actor.Path.ToString(), settings.ConsumerTimeout);
            UnwatchIfUnused(consumer.Actor);
        }
        GiveTransientCredit();
    }

    public Then Ack(Ack a, IActorRef from, long now)
    {
        if (Find(a.Subscription, nameof(Ack), from) is not { } sub) return Then.PassivateIfUnknown;
        if (subscriptions.Ack(sub, a.Sequences, from, now) == 0) return Then.Nothing;
        subscriptions.Pump(sub, now);
        return Then.Write | Then.Trim | Then.Tick;
    }

    public Then Nack(Nack n, IActorRef from, long now, DateTime utcNow)
    {
        if (Find(n.Subscription, nameof(Nack), from) is not { } sub) return Then.PassivateIfUnknown;
        if (subscriptions.Nack(sub, n, from, now, utcNow, deliveryEvents) == SubscriptionState.FailOutcome.Stale) return Then.Nothing;
        subscriptions.Pump(sub, now);
        return Then.Write | Then.Tick;
    }

    /// <summary>Deadlines and retries on the clock: failures go to the next write.</summary>
    public Then Tick(long now, DateTime utcNow)
    {
        subscriptions.Tick(now, utcNow, deliveryEvents);
        return Then.Write | Then.Gauges | Then.Tick;
    }

    /// <summary>
    /// Fans a transient batch out to the consumers (nothing is written), and gives the publishers back the credit of
    /// their messages that went through.
    /// </summary>
    public void Transient(PublishTransient p, IActorRef sender)
    {
        if (p.Messages.IsDefaultOrEmpty || !string.Equals(p.Topic, topic, StringComparison.Ordinal)) return;
        foreach (var m in p.Messages)
            if (m.Size > settings.MaxMessageSize)
            {
                // Fire-and-forget has no one to answer: the client checks sizes before sending; this guards the topic.
                log.Warning("Topic {Topic}: dropped a transient batch with a {Size}-byte message (max-message-size {MaxMessageSize})",
                    topic, m.Size, settings.MaxMessageSize);
                return;
            }
        foreach (var (sub, dropped) in subscriptions.FanOut(p.Messages, sender))
        {
            sub.Metrics.TransientDropped(dropped);
            log.Warning("Topic {Topic}/{Subscription}: {Dropped} transient messages dropped (its consumers have no room and " +
                "transient-window messages already wait); {Total} since the topic started", topic, sub.Name, dropped, sub.TransientDropped);
        }
        GiveTransientCredit();
    }

    /// <summary>A consumer finished transient deliveries: what waited for room goes out, and the publishers get credit.</summary>
    public void TransientDone(TransientDone done, IActorRef from)
    {
        subscriptions.TransientDone(done, from);
        GiveTransientCredit();
    }

    /// <summary>A transient publisher asks for credit: it is watched (its credit returns when it stops) and granted what the pool has.</summary>
    public void TransientDemand(TransientDemand demand, IActorRef from)
    {
        if (!string.Equals(demand.Topic, topic, StringComparison.Ordinal) || from.IsNobody() || from is DeadLetterActorRef) return;
        if (_credit.Demand(from, demand.Count)) watch(from);
        GiveTransientCredit();
    }

    /// <summary>
    /// Returns the credit of the transient messages that went through: to the pool for the publishers that ask for
    /// credit (then granted again to those that want it), straight to the sender for those that do not (older clients).
    /// </summary>
    public void GiveTransientCredit()
    {
        foreach (var (sender, count) in subscriptions.TakeTransientCredits())
            if (!_credit.Through(sender, count)) Outbound.Tell(sender, new TransientAccepted(topic, count));
        foreach (var (publisher, count) in _credit.Grant()) Outbound.Tell(publisher, new TransientAccepted(topic, count));
    }

    private void UnwatchIfUnused(IActorRef consumer)
    {
        if (!subscriptions.IsConsumer(consumer) && !_credit.IsPublisher(consumer)) unwatch(consumer);
    }

    private SubscriptionState? Find(string subscription, string command, IActorRef replyTo)
    {
        if (subscriptions.TryGet(subscription, out var sub)) return sub;
        Outbound.Tell(replyTo, requests.Unknown(subscription, command, topicExists()));
        return null;
    }
}
