using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Akka.Actor;
using ActorPubSub.Filters;
using ActorPubSub.Messages;
using ActorPubSub.Observability;
using ActorPubSub.Topics.Log;
using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Remoting;

namespace ActorPubSub.Topics;

/// <summary>
/// A topic's durable subscriptions and their consumers: registration and renewal, the pump that hands out
/// deliveries (told to the consumers directly), acks, nacks, deadlines and retries on the clock, seek, and
/// transient fan-out. Subscription changes apply here when they arrive; their events go with the next write.
/// </summary>
internal sealed class SubscriptionTable(string topic, TopicSettings settings, MessageLog log, TopicMetrics metrics)
{
    // A handler's error is kept with the message (and its dead letter); a stack trace need not be.
    private const int MaxErrorLength = 2000;

    private readonly Dictionary<string, SubscriptionState> _subscriptions = new(StringComparer.Ordinal);
    private bool _setChanged = true;   // subscriptions were added or removed since TakeSetChanged
    private bool _filteredSinceTrim;    // a pump acknowledged messages by a filter since TakeFiltered

    public int Count => _subscriptions.Count;

    public Dictionary<string, SubscriptionState>.ValueCollection All => _subscriptions.Values;

    /// <summary>False once the topic stops: it only waits for what is in flight.</summary>
    public bool Delivering { get; private set; } = true;

    public bool TryGet(string name, [MaybeNullWhen(false)] out SubscriptionState sub) => _subscriptions.TryGetValue(name, out sub);

    /// <summary>The lowest watermark; null without subscriptions.</summary>
    public long? LowestWatermark()
    {
        if (_subscriptions.Count == 0) return null;
        var min = long.MaxValue;
        foreach (var sub in _subscriptions.Values) min = Math.Min(min, sub.Watermark);
        return min;
    }

    /// <summary>The lowest sequence on its way to a dead-letter store; null when none is.</summary>
    public long? LowestTransfer()
    {
        long? min = null;
        foreach (var sub in _subscriptions.Values)
            foreach (var t in sub.Transfers)
                if (min is null || t.Sequence < min) min = t.Sequence;
        return min;
    }

    /// <summary>The log dropped every message below <paramref name="first"/>: subscriptions behind it count their loss.</summary>
    public void Truncated(long first)
    {
        foreach (var sub in _subscriptions.Values)
            if (sub.DropBelow(first) is var lost and > 0) sub.Metrics.Dropped(lost);
    }

    public bool AnyInFlight => _subscriptions.Values.Any(s => s.InFlight > 0);

    /// <summary>True (once) when subscriptions were added or removed since the last call: the gauges' list changes.</summary>
    public bool TakeSetChanged()
    {
        var changed = _setChanged;
        _setChanged = false;
        return changed;
    }

    /// <summary>Hand out nothing more (a stopping topic only waits for the deliveries in flight).</summary>
    public void StopDelivering() => Delivering = false;

    // ---------------------------------------------------------------- the set of subscriptions

    public void Add(SubscriptionAdded e)
    {
        // A topic may have dropped unsubscribed messages since the watermark was chosen.
        var watermark = Math.Max(e.Watermark, log.FirstSequence - 1);
        var sub = New(e.Subscription, watermark, e.Config);
        _subscriptions[e.Subscription] = sub;
        _setChanged = true;
    }

    public SubscriptionState? Remove(string name)
    {
        if (!_subscriptions.Remove(name, out var sub)) return null;
        _setChanged = true;
        return sub;
    }

    /// <summary>Restores a subscription from a snapshot.</summary>
    public void Restore(SubscriptionSnapshot s, long now, DateTime utcNow)
    {
        var sub = New(s.Name, s.Watermark, s.Config);
        foreach (var seq in s.AckedAbove) sub.RestoreAck(seq);
        sub.Redrive(s.Redriven);
        foreach (var t in s.Transfers) sub.ApplyDeadLettered(t);
        sub.RestoreTransferIds(s.LastTransferId);
        sub.RestoreDropped(s.Dropped);
        foreach (var f in s.Failures) sub.RestoreFailure(f, now, utcNow);
        _subscriptions[s.Name] = sub;
    }

    public void RestoreAcks(AcksRecorded e)
    {
        foreach (var acks in e.Acks)
            if (_subscriptions.TryGetValue(acks.Subscription, out var sub))
                foreach (var seq in acks.Sequences) sub.RestoreAck(seq);
    }

    public void RestoreFailures(DeliveriesFailed e, long now, DateTime utcNow)
    {
        foreach (var f in e.Failures)
            if (_subscriptions.TryGetValue(f.Subscription, out var sub)) sub.RestoreFailure(f, now, utcNow);
    }

    /// <summary>Written (or replayed) messages: filtered subscriptions that keep up acknowledge those their filter refuses.</summary>
    public void Appended(MessagesAppended e)
    {
        foreach (var sub in _subscriptions.Values)
            if (sub.Config.Filter is not null)
                foreach (var m in e.Messages) sub.FilterNext(m);
    }

    /// <summary>A seek: the subscription's cursor moves (its filter applies again as the cursor passes messages).</summary>
    public void MoveCursor(CursorMoved e)
    {
        if (_subscriptions.TryGetValue(e.Subscription, out var sub)) sub.MoveCursor(e.Sequence);
    }

    /// <summary>Takes every subscription's acks not yet written, as one event; null when there are none.</summary>
    public AcksRecorded? TakeAcks()
    {
        ImmutableArray<SubscriptionAcks>.Builder? acks = null;
        foreach (var sub in _subscriptions.Values)
            if (sub.UnflushedAckCount > 0)
                (acks ??= ImmutableArray.CreateBuilder<SubscriptionAcks>())
                    .Add(new SubscriptionAcks(sub.Name, ImmutableCollectionsMarshal.AsImmutableArray(sub.TakeUnflushedAcks())));
        return acks is null ? null : new AcksRecorded(acks.ToImmutable());
    }

    public int UnflushedAcks
    {
        get
        {
            var count = 0;
            foreach (var sub in _subscriptions.Values) count += sub.UnflushedAckCount;
            return count;
        }
    }

    // ---------------------------------------------------------------- consumers

    /// <summary>
    /// Registers or renews a consumer; true when it is new (the caller watches and welcomes it, then pumps, so
    /// the welcome arrives before the first delivery).
    /// </summary>
    public static bool Consume(SubscriptionState sub, Consume c, long now)
    {
        if (sub.FindConsumer(c.Consumer) is { } consumer)
        {
            consumer.LastSeen = now;
            consumer.MaxInFlight = c.MaxInFlight;
            return false;
        }
        sub.AddConsumer(c.Consumer, c.MaxInFlight, now);
        return true;
    }

    /// <summary>True when <paramref name="actor"/> consumes any subscription (the topic keeps watching it).</summary>
    public bool IsConsumer(IActorRef actor) => _subscriptions.Values.Any(s => s.FindConsumer(actor) is not null);

    /// <summary>Removes a terminated consumer everywhere; returns the subscriptions it left.</summary>
    public List<SubscriptionState> RemoveConsumer(IActorRef actor, long now)
    {
        var left = new List<SubscriptionState>();
        foreach (var sub in _subscriptions.Values)
            if (sub.RemoveConsumer(actor))
            {
                left.Add(sub);
                Pump(sub, now);
            }
        return left;
    }

    /// <summary>Removes consumers silent since <paramref name="silentSince"/> and pumps every subscription.</summary>
    public List<(SubscriptionState Subscription, ConsumerState Consumer)> ExpireConsumers(long silentSince, long now)
    {
        var expired = new List<(SubscriptionState, ConsumerState)>();
        foreach (var sub in _subscriptions.Values)
        {
            foreach (var consumer in sub.ExpireConsumers(silentSince)) expired.Add((sub, consumer));
            Pump(sub, now);
        }
        return expired;
    }

    // ---------------------------------------------------------------- delivery

    public void PumpAll(long now)
    {
        foreach (var sub in _subscriptions.Values) Pump(sub, now);
    }

    /// <summary>Hands out what the subscription's consumers have room for, up to the written log.</summary>
    public void Pump(SubscriptionState sub, long now)
    {
        if (!Delivering) return;
        var filtered = sub.Filtered;
        PumpDeliveries(sub, now);
        if (sub.Filtered != filtered) _filteredSinceTrim = true;
    }

    /// <summary>True (once) when a pump acknowledged messages by the filter since the last call: the log may trim.</summary>
    public bool TakeFiltered()
    {
        var filtered = _filteredSinceTrim;
        _filteredSinceTrim = false;
        return filtered;
    }

    private void PumpDeliveries(SubscriptionState sub, long now)
    {
        sub.Pump(log.LastSequence, now, settings.DeliverBatchMessages, settings.DeliverBatchBytes,
            (consumer, messages, attempts) =>
            {
                Outbound.Tell(consumer.Actor, new Deliver(topic, sub.Name,
                    ImmutableCollectionsMarshal.AsImmutableArray(messages.ToArray()),
                    ImmutableCollectionsMarshal.AsImmutableArray(attempts.ToArray())));
                sub.Metrics.Delivered(attempts);
            });
    }

    /// <summary>Applies a consumer's acks (within the log); returns how many acknowledged something new.</summary>
    public int Ack(SubscriptionState sub, ImmutableArray<long> sequences, IActorRef from, long now)
    {
        var last = log.LastSequence;
        var acked = 0;
        foreach (var seq in sequences)
            if (seq >= 1 && seq <= last && sub.Ack(seq)) acked++;
        if (sub.FindConsumer(from) is { } consumer) consumer.LastSeen = now;
        if (acked > 0) sub.Metrics.Acked(acked);
        return acked;
    }

    /// <summary>A consumer's nack: the failure goes to <paramref name="events"/> for the next write.</summary>
    public SubscriptionState.FailOutcome Nack(SubscriptionState sub, Nack n, IActorRef from, long now, DateTime utcNow,
        Action<ITopicEvent> events)
    {
        if (sub.FindConsumer(from) is { } consumer) consumer.LastSeen = now;
        var error = n.Error.Length <= MaxErrorLength ? n.Error : n.Error[..MaxErrorLength] + "…";
        var outcome = sub.Fail(n.Sequence, error, n.Delay, n.Unprocessable, now, utcNow, events);
        if (outcome != SubscriptionState.FailOutcome.Stale) sub.Metrics.Nacked();
        return outcome;
    }

    /// <summary>Fails deliveries past their deadline, readies due retries, and pumps.</summary>
    public void Tick(long now, DateTime utcNow, Action<ITopicEvent> events)
    {
        foreach (var sub in _subscriptions.Values)
        {
            if (sub.Tick(now, utcNow, events) is var expired and > 0) sub.Metrics.Expired(expired);
            Pump(sub, now);
        }
    }

    /// <summary>
    /// How often the clock must tick, or null when nothing waits for it: nack delays at tick-interval; ack
    /// deadlines at a tenth of the shortest deadline, so thousands of topics with deliveries in flight do not
    /// each wake ten times a second for deadlines 30 s away.
    /// </summary>
    public TimeSpan? TickInterval()
    {
        TimeSpan? interval = null;
        foreach (var sub in _subscriptions.Values)
        {
            if (sub.HasDelayedRedeliveries) return settings.TickInterval;
            if (sub.InFlight == 0) continue;
            var forDeadline = TimeSpan.FromTicks(Math.Max(settings.TickInterval.Ticks, sub.AckDeadline.Ticks / 10));
            interval = interval is { } i && i < forDeadline ? i : forDeadline;
        }
        return interval;
    }

    // ---------------------------------------------------------------- transient fan-out

    /// <summary>A transient publisher's messages not yet through the topic (in arrival order).</summary>
    private sealed class TransientSender(IActorRef actor, int count)
    {
        public IActorRef Actor { get; } = actor;
        public int Count { get; set; } = count;
    }

    private readonly Queue<TransientSender> _transientSenders = new();
    private long _transientReceived;
    private long _transientThrough;

    /// <summary>
    /// Takes a transient batch from <paramref name="sender"/>: each subscription with a consumer gets every message, handed
    /// round robin to consumers with room in their transient window; what finds no room waits in the subscription's
    /// pending queue (up to transient-window), and only what does not fit there is dropped. A subscription without a
    /// consumer misses the batch (transient messages go to those consuming now). Returns per subscription how many
    /// were dropped.
    /// </summary>
    public List<(SubscriptionState Subscription, int Dropped)> FanOut(ImmutableArray<TopicMessage> messages, IActorRef sender)
    {
        var dropped = new List<(SubscriptionState, int)>();
        foreach (var sub in _subscriptions.Values)
        {
            if (sub.Consumers.Count == 0)
            {
                sub.TransientPending.Clear();
                continue;
            }
            var start = 0;
            if (sub.TransientPending.Count == 0) start = HandOut(sub, messages);
            var room = TransientWaitingRoom - sub.TransientPending.Count;
            var keep = Math.Min(room, messages.Length - start);
            for (var i = 0; i < keep; i++) sub.TransientPending.Enqueue(messages[start + i]);
            if (start + keep < messages.Length)
            {
                var lost = messages.Length - start - keep;
                sub.TransientDropped += lost;
                dropped.Add((sub, lost));
            }
        }
        _transientReceived += messages.Length;
        if (!sender.IsNobody() && sender is not DeadLetterActorRef) _transientSenders.Enqueue(new TransientSender(sender, messages.Length));
        return dropped;
    }

    /// <summary>
    /// Messages a subscription keeps waiting for room at its consumers: a window's worth, and never less than the credit
    /// pool, so the publishers that ask for credit (their parked messages are at most the pool) never see a drop.
    /// </summary>
    private int TransientWaitingRoom => Math.Max(settings.TransientWindow, settings.TransientCreditPool);

    /// <summary>How many of <paramref name="sender"/>'s transient messages are still at the topic (not yet through).</summary>
    public int TransientParked(IActorRef sender)
    {
        var parked = 0;
        foreach (var s in _transientSenders)
            if (s.Actor.Equals(sender)) parked += s.Count;
        return parked;
    }

    /// <summary>Hands <paramref name="messages"/> to the subscription's consumers with room, round robin; returns how many went.</summary>
    private int HandOut(SubscriptionState sub, ImmutableArray<TopicMessage> messages)
    {
        var consumers = sub.Consumers;
        var sent = 0;
        for (var k = 0; k < consumers.Count && sent < messages.Length; k++)
        {
            var consumer = consumers[(sub.TransientCursor + k) % consumers.Count];
            var take = Math.Min(settings.TransientWindow - consumer.TransientInFlight, messages.Length - sent);
            if (take <= 0) continue;
            var batch = sent == 0 && take == messages.Length ? messages : ImmutableArray.Create(messages, sent, take);
            Send(sub, consumer, batch);
            sent += take;
        }
        if (consumers.Count > 0) sub.TransientCursor = (sub.TransientCursor + 1) % consumers.Count;
        return sent;
    }

    /// <summary>Hands the subscription's waiting transient messages to its consumers with room, oldest first.</summary>
    private void HandOutPending(SubscriptionState sub)
    {
        var pending = sub.TransientPending;
        if (pending.Count == 0) return;
        if (sub.Consumers.Count == 0)
        {
            pending.Clear();
            return;
        }
        var consumers = sub.Consumers;
        for (var k = 0; k < consumers.Count && pending.Count > 0; k++)
        {
            var consumer = consumers[(sub.TransientCursor + k) % consumers.Count];
            var take = Math.Min(settings.TransientWindow - consumer.TransientInFlight, pending.Count);
            // In deliveries of at most deliver-batch-messages / -bytes (one message always goes): a window's worth in
            // one Deliver would exceed the remote frame and be dropped.
            while (take > 0)
            {
                var batch = ImmutableArray.CreateBuilder<TopicMessage>(Math.Min(take, settings.DeliverBatchMessages));
                var bytes = 0;
                while (take > 0 && batch.Count < settings.DeliverBatchMessages
                       && (batch.Count == 0 || bytes + pending.Peek().Size <= settings.DeliverBatchBytes))
                {
                    var message = pending.Dequeue();
                    bytes += message.Size;
                    batch.Add(message);
                    take--;
                }
                Send(sub, consumer, batch.ToImmutable());
            }
        }
        sub.TransientCursor = (sub.TransientCursor + 1) % consumers.Count;
    }

    private void Send(SubscriptionState sub, ConsumerState consumer, ImmutableArray<TopicMessage> batch)
    {
        Outbound.Tell(consumer.Actor, new Deliver(topic, sub.Name, batch, ImmutableCollectionsMarshal.AsImmutableArray(new int[batch.Length])));
        consumer.TransientInFlight += batch.Length;
    }

    public void TransientDone(TransientDone done, IActorRef from)
    {
        if (!_subscriptions.TryGetValue(done.Subscription, out var sub) || sub.FindConsumer(from) is not { } consumer) return;
        consumer.TransientInFlight = Math.Max(0, consumer.TransientInFlight - done.Count);
        HandOutPending(sub);
    }

    /// <summary>
    /// The credit each transient publisher gets back: its messages that every subscription has handed out (or dropped).
    /// Every subscription gets the same messages in arrival order, so those are the oldest, all but the longest pending
    /// queue. Subscriptions whose consumers left first drop what waited for them.
    /// </summary>
    public List<(IActorRef Sender, int Count)> TakeTransientCredits()
    {
        if (_transientSenders.Count == 0) return [];
        var longest = 0;
        foreach (var sub in _subscriptions.Values)
        {
            if (sub.Consumers.Count == 0) sub.TransientPending.Clear();
            else HandOutPending(sub);
            longest = Math.Max(longest, sub.TransientPending.Count);
        }
        var through = _transientReceived - longest;
        var credits = new List<(IActorRef, int)>();
        while (_transientThrough < through && _transientSenders.TryPeek(out var head))
        {
            var n = (int)Math.Min(head.Count, through - _transientThrough);
            _transientThrough += n;
            head.Count -= n;
            if (head.Count == 0) _transientSenders.Dequeue();
            var i = credits.FindIndex(c => c.Item1.Equals(head.Actor));
            if (i >= 0) credits[i] = (head.Actor, credits[i].Item2 + n);
            else credits.Add((head.Actor, n));
        }
        return credits;
    }

    // ---------------------------------------------------------------- views

    /// <summary>Every subscription as <see cref="TopicInfo"/> shows it, by name.</summary>
    public ImmutableArray<SubscriptionInfo> Describe(long last) =>
        [.. _subscriptions.Values.OrderBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => new SubscriptionInfo(s.Name, s.Watermark, s.Pending(last), s.InFlight, s.Consumers.Count, s.AckDeadline,
                s.Config.MaxDeliveryAttempts, s.Config.OrderedByKey, s.Config.Filter, s.Transfers.Count,
                OldestUnackedAge(s, last), s.StoredDeadLetters, s.Dropped, s.TransientDropped, s.TransientPending.Count))];

    /// <summary>
    /// Every subscription as of the written log. A subscription created from Latest while publishes were still
    /// buffered has a watermark past the written log; those sequence numbers are only promised once written, so
    /// the snapshot stops at the log.
    /// </summary>
    public ImmutableArray<SubscriptionSnapshot> Snapshot(long last) =>
        [.. _subscriptions.Values.Select(s => new SubscriptionSnapshot(
            s.Name, Math.Min(s.Watermark, last), [.. s.AckedAbove.Where(a => a <= last).Order()], s.Config,
            [.. s.Failures], [.. s.Transfers], s.LastTransferId, [.. s.Redriven], s.Dropped))];

    private static TimeSpan OldestUnackedAge(SubscriptionState sub, long last) =>
        sub.OldestUnacked(last) is { } oldest && DateTime.UtcNow - oldest is var age && age > TimeSpan.Zero ? age : TimeSpan.Zero;

    private SubscriptionState New(string name, long watermark, SubscriptionConfig config)
    {
        // The filter was validated at creation; a stored one that no longer parses would be a bug worth stopping for.
        var filter = config.Filter is null ? null : HeaderFilter.Parse(config.Filter);
        return new SubscriptionState(name, watermark, config, log, filter is null ? null : filter.Matches,
            metrics.ForSubscription(name));
    }
}
