using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using ActorPubSub.Messages;
using ActorPubSub.Topics;

namespace ActorPubSub.Client;

/// <summary>
/// The resending producer behind <see cref="IPubSub.PublishAsync{T}"/>: numbers each publish per topic, keeps
/// it until its receipt arrives and resends it (same number, in order) when the receipt is late, so a
/// publish dropped by sharding during a hand-off still arrives and one whose receipt was lost is stored once.
/// </summary>
internal sealed class PublisherActor : ReceiveActor, IWithTimers
{
    /// <summary>Local only: drain the <see cref="PublishQueue"/>.</summary>
    internal sealed class FlushPublishes
    {
        public static readonly FlushPublishes Instance = new();
        private FlushPublishes() { }
    }

    private const int MaxBatchMessages = 1000;

    /// <summary>Local only: carries the caller's completion source.</summary>
    public sealed record Send(string Topic, Payload Payload, string? Key, ImmutableDictionary<string, string>? Headers,
        string? MessageId, TaskCompletionSource<PublishReceipt> Completion);

    /// <summary>Local only: drain a topic's transient queue.</summary>
    internal sealed record FlushTransient(TransientQueue Queue);

    private const int TransientBatchMessages = 1000;

    private sealed class ResendTick
    {
        public static readonly ResendTick Instance = new();
        private ResendTick() { }
    }

    private sealed class Outstanding(Publish publish, TaskCompletionSource<PublishReceipt> completion, long sentAt, long giveUpAt)
    {
        public Publish Publish { get; set; } = publish;
        public TaskCompletionSource<PublishReceipt> Completion { get; } = completion;
        public long SentAt { get; set; } = sentAt;
        public long GiveUpAt { get; } = giveUpAt;
    }

    private sealed class TopicProducer
    {
        public long NextSeq = 1;
        public readonly Dictionary<long, Outstanding> Outstanding = [];
        private long _lowest = 1;

        /// <summary>
        /// The lowest number still awaiting its receipt, or <paramref name="fallback"/> when none does. Numbers
        /// are handed out in increasing order, so the lowest only moves up: amortised O(1) per publish.
        /// </summary>
        public long Floor(long fallback)
        {
            if (Outstanding.Count == 0) return fallback;
            while (!Outstanding.ContainsKey(_lowest)) _lowest++;
            return _lowest;
        }

        /// <summary>The publishes awaiting their receipt, oldest first.</summary>
        public IEnumerable<(long Seq, Outstanding Item)> InOrder()
        {
            if (Outstanding.Count == 0) yield break;
            for (var seq = Floor(NextSeq); seq < NextSeq; seq++)
                if (Outstanding.TryGetValue(seq, out var o)) yield return (seq, o);
        }
    }

    private readonly IActorRef _region;
    private readonly ClientSettings _settings;
    private readonly string _producerId = Guid.NewGuid().ToString("N");
    private readonly Dictionary<string, TopicProducer> _topics = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ITimerScheduler Timers { get; set; } = null!;

    private readonly PublishQueue _queue;
    private readonly Dictionary<string, List<Publish>> _outbox = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TransientQueue> _transient = new(StringComparer.Ordinal);

    public static Props Props(IActorRef region, ClientSettings settings, PublishQueue queue) =>
        Akka.Actor.Props.Create(() => new PublisherActor(region, settings, queue));

    public PublisherActor(IActorRef region, ClientSettings settings, PublishQueue queue)
    {
        (_region, _settings, _queue) = (region, settings, queue);
        Receive<FlushPublishes>(_ => DrainPublishes());
        Receive<PublishReceipts>(rs =>
        {
            foreach (var r in rs.Receipts) Complete(r.Topic, r.ProducerSeq, o => o.Completion.TrySetResult(r));
        });
        Receive<PublishReceipt>(r => Complete(r.Topic, r.ProducerSeq, o => o.Completion.TrySetResult(r)));
        Receive<PublishRejected>(r => Complete(r.Topic, r.ProducerSeq,
            o => o.Completion.TrySetException(new PubSubRejectedException(r.Code, r.Reason))));
        Receive<ResendTick>(_ =>
        {
            Resend();
            ForgetLostTransientCredit();
        });
        Receive<FlushTransient>(f => DrainTransient(f.Queue));
        Receive<TransientAccepted>(Credit);
    }

    protected override void PreStart() =>
        Timers.StartPeriodicTimer(nameof(ResendTick), ResendTick.Instance, TimeSpan.FromTicks(_settings.ResendAfter.Ticks / 2));

    protected override void PostStop()
    {
        foreach (var producer in _topics.Values)
            foreach (var o in producer.Outstanding.Values)
                o.Completion.TrySetException(new PubSubUnavailableException(
                    "ActorPubSub is unavailable: the publisher stopped (its ActorSystem is shutting down) before the receipt arrived; the message may or may not be stored."));
    }

    private void DrainPublishes()
    {
        // Re-arm before draining: a publish enqueued from here on requests the next flush itself.
        Volatile.Write(ref _queue.FlushRequested, 0);
        var now = Environment.TickCount64;
        var giveUpAt = now + (long)_settings.PublishTimeout.TotalMilliseconds;
        while (_queue.Items.TryDequeue(out var s))
        {
            if (!_topics.TryGetValue(s.Topic, out var producer)) _topics[s.Topic] = producer = new TopicProducer();
            var seq = producer.NextSeq++;
            var publish = new Publish(s.Topic, s.Payload, s.Key, s.Headers, s.MessageId, _producerId, seq, producer.Floor(seq));
            producer.Outstanding[seq] = new Outstanding(publish, s.Completion, now, giveUpAt);
            if (!_outbox.TryGetValue(s.Topic, out var batch)) _outbox[s.Topic] = batch = [];
            batch.Add(publish);
            if (batch.Count >= MaxBatchMessages) SendBatch(s.Topic, batch);
        }
        foreach (var (topic, batch) in _outbox)
            if (batch.Count > 0) SendBatch(topic, batch);
    }

    /// <summary>
    /// Sends a topic's publishes in order, in messages of at most MaxBatchMessages and <see cref="ClientSettings.BatchBytes"/>
    /// (every field in UTF-8 bytes and its framing, so a batch fits the remote frame; one message always goes).
    /// </summary>
    private void SendBatch(string topic, List<Publish> publishes)
    {
        var limit = _settings.BatchBytes;
        var start = 0;
        while (start < publishes.Count)
        {
            var end = start;
            var bytes = 0;
            while (end < publishes.Count && end - start < MaxBatchMessages)
            {
                var p = publishes[end];
                var size = MessageSize.Of(p.Payload, p.Key, p.Headers, p.MessageId) + ClientSettings.PerMessageOverhead;
                if (end > start && bytes + size > limit) break;
                bytes += size;
                end++;
            }
            _region.Tell(end - start == 1 ? publishes[start] : new PublishBatch(topic, [.. publishes.GetRange(start, end - start)]));
            start = end;
        }
        publishes.Clear();
    }

    private void DrainTransient(TransientQueue queue)
    {
        // Re-arm before draining: a publish enqueued from here on requests the next flush itself.
        Volatile.Write(ref queue.FlushRequested, 0);
        _transient.TryAdd(queue.Topic, queue);
        while (queue.Take(TransientBatchMessages, _settings.BatchBytes) is { Count: > 0 } batch)
            _region.Tell(new PublishTransient(queue.Topic, [.. batch]));
    }

    /// <summary>The topic's credit: messages went through, so waiting publishes get room and what is queued goes out.</summary>
    private void Credit(TransientAccepted accepted)
    {
        if (!_transient.TryGetValue(accepted.Topic, out var queue)) return;
        queue.Credit(accepted.Count);
        DrainTransient(queue);
    }

    /// <summary>Transient messages the topic never confirmed (it restarted or moved) no longer hold the publishers back.</summary>
    private void ForgetLostTransientCredit()
    {
        var timeout = TimeSpan.FromTicks(_settings.ResendAfter.Ticks * 5);
        foreach (var queue in _transient.Values)
            if (queue.ForgetLostCredit(timeout))
            {
                _log.Warning("Topic {Topic} confirmed none of this client's transient messages for {Timeout}: counting them as lost " +
                    "(the topic restarted or moved) and sending on", queue.Topic, timeout);
                DrainTransient(queue);
            }
    }

    private void Complete(string topic, long producerSeq, Action<Outstanding> complete)
    {
        if (!_topics.TryGetValue(topic, out var producer) || !producer.Outstanding.Remove(producerSeq, out var o)) return;
        complete(o);
    }

    private void Resend()
    {
        var now = Environment.TickCount64;
        var due = now - (long)_settings.ResendAfter.TotalMilliseconds;
        foreach (var (topic, producer) in _topics)
        {
            if (producer.Outstanding.Count == 0) continue;
            foreach (var (seq, o) in producer.InOrder().Where(e => e.Item.GiveUpAt <= now).ToList())
            {
                producer.Outstanding.Remove(seq);
                o.Completion.TrySetException(new TimeoutException(
                    $"No receipt from topic '{topic}' within {_settings.PublishTimeout}; the message may or may not be stored."));
            }
            // In order from the oldest: the topic accepts each producer's numbers in sequence only.
            var resend = new List<Publish>();
            foreach (var (seq, o) in producer.InOrder())
            {
                if (o.SentAt > due) break;
                o.Publish = o.Publish with { ProducerFloor = producer.Floor(seq) };
                o.SentAt = now;
                resend.Add(o.Publish);
            }
            if (resend.Count == 0) continue;
            _log.Debug("Resending {Count} publishes to topic {Topic} without receipt", resend.Count, topic);
            SendBatch(topic, resend);
        }
    }
}
