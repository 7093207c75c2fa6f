using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Event;
using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Messages;

namespace ActorPubSub.Topics;

/// <summary>Consumers, deliveries, acks and nacks, transient fan-out, and the clock they need.</summary>
internal sealed partial class TopicActor
{
    // A handler's error is kept with the message (and its dead letter); a stack trace need not be.
    private const int MaxErrorLength = 2000;

    private void HandleConsume(Consume c)
    {
        if (FindSubscription(c.Subscription, nameof(Consume), c.Consumer) is not { } sub) return;
        if (SubscriptionLimits.CheckMaxInFlight("MaxInFlight", c.MaxInFlight) is { } windowError)
        {
            c.Consumer.Tell(Rejected(c.Subscription, nameof(Consume), RejectionCode.Invalid, windowError));
            return;
        }
        var consumer = sub.FindConsumer(c.Consumer);
        if (consumer is null)
        {
            sub.AddConsumer(c.Consumer, c.MaxInFlight, Now);
            Context.Watch(c.Consumer);
            c.Consumer.Tell(new ConsumerRegistered(_topic, c.Subscription));
            _log.Info("Topic {Topic}/{Subscription}: consumer {Consumer} joined (window {MaxInFlight}); {Consumers} consumers",
                _topic, c.Subscription, c.Consumer.Path.ToString(), c.MaxInFlight, sub.Consumers.Count);
            Pump(sub);
            PublishGauges();
            EnsureTicking();
            return;
        }
        else
        {
            consumer.LastSeen = Now;
            consumer.MaxInFlight = c.MaxInFlight;
        }
        Pump(sub);
        EnsureTicking();
    }

    private void HandleStopConsuming(StopConsuming s)
    {
        if (!_subscriptions.TryGetValue(s.Subscription, out var sub) || !sub.RemoveConsumer(s.Consumer)) return;
        _log.Info("Topic {Topic}/{Subscription}: consumer {Consumer} left (stopped); {Consumers} consumers",
            _topic, sub.Name, s.Consumer.Path.ToString(), sub.Consumers.Count);
        UnwatchIfUnused(s.Consumer);
        Pump(sub);
        MaybeFinishDrain();
        PublishGauges();
    }

    private void HandleAck(Ack a)
    {
        if (FindSubscription(a.Subscription, nameof(Ack), Sender) is not { } sub) return;
        var last = _messages.LastSequence;
        var acked = 0;
        foreach (var seq in a.Sequences)
            if (seq >= 1 && seq <= last && sub.Ack(seq)) acked++;
        if (sub.FindConsumer(Sender) is { } consumer) consumer.LastSeen = Now;
        if (acked == 0) return;
        sub.Metrics.Acked(acked);
        TryWrite();
        Trim();
        Pump(sub);
        EnsureTicking();
        MaybeFinishDrain();
    }

    private void HandleNack(Nack n)
    {
        if (FindSubscription(n.Subscription, nameof(Nack), Sender) is not { } sub) return;
        if (sub.FindConsumer(Sender) is { } consumer) consumer.LastSeen = Now;
        var error = n.Error.Length <= MaxErrorLength ? n.Error : n.Error[..MaxErrorLength] + "…";
        var outcome = sub.Fail(n.Sequence, error, n.Delay, n.Unprocessable, Now, DateTime.UtcNow, BufferDeliveryEvent);
        if (outcome == SubscriptionState.FailOutcome.Stale) return;
        sub.Metrics.Nacked();
        TryWrite();
        Pump(sub);
        EnsureTicking();
        MaybeFinishDrain();
    }

    private void HandlePublishTransient(PublishTransient p)
    {
        if (p.Messages.IsDefaultOrEmpty || !string.Equals(p.Topic, _topic, StringComparison.Ordinal)) return;
        foreach (var m in p.Messages)
            if (m.Size > _settings.MaxMessageSize)
            {
                // Fire-and-forget has no one to answer: the client checks sizes before sending; this guards the topic.
                _log.Warning("Topic {0}: dropped a transient batch with a {1}-byte message (max-message-size {2})",
                    _topic, m.Size, _settings.MaxMessageSize);
                return;
            }
        foreach (var sub in _subscriptions.Values)
        {
            var consumers = sub.Consumers;
            var sent = 0;
            for (var k = 0; k < consumers.Count && sent < p.Messages.Length; k++)
            {
                var consumer = consumers[(sub.TransientCursor + k) % consumers.Count];
                var take = Math.Min(_settings.TransientWindow - consumer.TransientInFlight, p.Messages.Length - sent);
                if (take <= 0) continue;
                var batch = sent == 0 && take == p.Messages.Length ? p.Messages : ImmutableArray.Create(p.Messages, sent, take);
                consumer.Actor.Tell(new Deliver(_topic, sub.Name, batch, ImmutableCollectionsMarshal.AsImmutableArray(new int[take])));
                consumer.TransientInFlight += take;
                sent += take;
            }
            if (consumers.Count > 0) sub.TransientCursor = (sub.TransientCursor + 1) % consumers.Count;
            if (sent < p.Messages.Length)
                _log.Debug("Topic {0}/{1}: {2} transient messages dropped (no consumer with room)", _topic, sub.Name, p.Messages.Length - sent);
        }
    }

    private void HandleTransientDone(TransientDone done)
    {
        if (_subscriptions.TryGetValue(done.Subscription, out var sub) && sub.FindConsumer(Sender) is { } consumer)
            consumer.TransientInFlight = Math.Max(0, consumer.TransientInFlight - done.Count);
    }

    private void RemoveConsumerEverywhere(IActorRef consumer)
    {
        foreach (var sub in _subscriptions.Values)
            if (sub.RemoveConsumer(consumer))
            {
                _log.Info("Topic {Topic}/{Subscription}: consumer {Consumer} left (terminated: stopped or its node left); {Consumers} consumers",
                    _topic, sub.Name, consumer.Path.ToString(), sub.Consumers.Count);
                Pump(sub);
                PublishGauges();
            }
        MaybeFinishDrain();
    }

    private void UnwatchIfUnused(IActorRef consumer)
    {
        foreach (var sub in _subscriptions.Values)
            if (sub.FindConsumer(consumer) is not null) return;
        Context.Unwatch(consumer);
    }

    private void PumpAll()
    {
        foreach (var sub in _subscriptions.Values) Pump(sub);
    }

    private void Pump(SubscriptionState sub)
    {
        if (_stopping) return;   // a stopping topic only waits for what is in flight
        PumpNow(sub);
    }

    private void PumpNow(SubscriptionState sub) =>
        sub.Pump(_messages.LastSequence, Now, _settings.DeliverBatchMessages, _settings.DeliverBatchBytes,
            (consumer, messages, attempts) =>
            {
                consumer.Actor.Tell(new Deliver(_topic, sub.Name,
                    ImmutableCollectionsMarshal.AsImmutableArray(messages.ToArray()),
                    ImmutableCollectionsMarshal.AsImmutableArray(attempts.ToArray())));
                sub.Metrics.Delivered(attempts);
            });

    /// <summary>
    /// Ticks only while something waits for the clock: nack delays at tick-interval; ack deadlines at a tenth
    /// of the shortest deadline, so thousands of topics with deliveries in flight do not each wake ten times a
    /// second for deadlines 30 s away.
    /// </summary>
    private void EnsureTicking()
    {
        TimeSpan? interval = null;
        foreach (var sub in _subscriptions.Values)
        {
            if (sub.HasDelayedRedeliveries)
            {
                interval = _settings.TickInterval;
                break;
            }
            if (sub.InFlight == 0) continue;
            var forDeadline = TimeSpan.FromTicks(Math.Max(_settings.TickInterval.Ticks, sub.AckDeadline.Ticks / 10));
            interval = interval is { } i && i < forDeadline ? i : forDeadline;
        }
        if (interval == _tickInterval) return;
        if (interval is { } every) Timers.StartPeriodicTimer(nameof(Tick), Tick.Instance, every);
        else Timers.Cancel(nameof(Tick));
        _tickInterval = interval;
    }

    private void OnTick()
    {
        var now = Now;
        var utcNow = DateTime.UtcNow;
        foreach (var sub in _subscriptions.Values)
        {
            if (sub.Tick(now, utcNow, BufferDeliveryEvent) is var expired and > 0) sub.Metrics.Expired(expired);
            Pump(sub);
        }
        TryWrite();
        PublishGauges();
        EnsureTicking();
        MaybeFinishDrain();
    }

    private void OnHousekeeping()
    {
        var now = Now;
        var silentSince = now - (long)_settings.ConsumerTimeout.TotalMilliseconds;
        foreach (var sub in _subscriptions.Values)
        {
            foreach (var consumer in sub.ExpireConsumers(silentSince))
            {
                _log.Info("Topic {Topic}/{Subscription}: consumer {Consumer} left (silent for {ConsumerTimeout}); its deliveries go to the others",
                    _topic, sub.Name, consumer.Actor.Path.ToString(), _settings.ConsumerTimeout);
                UnwatchIfUnused(consumer.Actor);
            }
            Pump(sub);
            // Transfers the store has not confirmed yet (lost on the way, or the store was down) go again.
            SendTransfers(sub);
        }
        _producers.Expire(now, (long)_settings.ProducerExpiry.TotalMilliseconds);
        _messageIds.Expire(DateTime.UtcNow);
        Trim();
        PublishGauges();
    }
}
