using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Event;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Remoting;

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
    /// <param name="Bytes">The publish's place in the <see cref="PublishBudget"/>, given back when it completes.</param>
    public sealed record Send(string Topic, Payload Payload, string? Key, ImmutableDictionary<string, string>? Headers,
        string? MessageId, TaskCompletionSource<PublishReceipt> Completion, int Bytes);

    /// <summary>Local only: drain a topic's transient queue.</summary>
    internal sealed record FlushTransient(TransientQueue Queue);

    private const int TransientBatchMessages = 1000;

    private sealed class ResendTick
    {
        public static readonly ResendTick Instance = new();
        private ResendTick() { }
    }

    private sealed class Outstanding(Publish publish, TaskCompletionSource<PublishReceipt> completion, long sentAt, long giveUpAt, int bytes)
    {
        public int Bytes { get; } = bytes;
        public Publish Publish { get; set; } = publish;
        public TaskCompletionSource<PublishReceipt> Completion { get; } = completion;
        public long SentAt { get; set; } = sentAt;
        public long GiveUpAt { get; } = giveUpAt;

        /// <summary>
        /// Answered (receipt or rejection) or given up, and so out of <see cref="TopicProducer.Outstanding"/>: what the held
        /// and in-flight lists check instead of looking every entry up in the dictionary on every receipt.
        /// </summary>
        public bool Done { get; set; }
    }

    private sealed class TopicProducer
    {
        public long NextSeq = 1;
        public readonly Dictionary<long, Outstanding> Outstanding = [];

        /// <summary>Numbered publishes not yet sent: they wait for a place among the batches in flight.</summary>
        public readonly List<Outstanding> Held = [];

        /// <summary>The last publish of each batch sent whose receipt may still come (at most publish-batches-in-flight).</summary>
        public readonly List<Outstanding> InFlight = [];

        /// <summary>
        /// The topic actor itself, learned from its receipts: publishes go to it straight, past the shard region's and
        /// the shard's hops, while it lives. Null until a receipt came, and again after it stopped or a resend.
        /// </summary>
        public IActorRef? Topic;

        /// <summary>
        /// The last publish sent through the shard region. Nothing goes to <see cref="Topic"/> before it is answered:
        /// the topic then has every publish sent the long way, so one sent straight cannot overtake them.
        /// </summary>
        public Outstanding? LastViaRegion;

        /// <summary>Whether publishes may go straight to the topic now (see <see cref="LastViaRegion"/>).</summary>
        public bool Straight => Topic is not null && LastViaRegion is null or { Done: true };

        /// <summary>Sending waits while the switch to the topic itself waits for the last publish sent the long way.</summary>
        public bool Switching => Topic is not null && LastViaRegion is { Done: false };

        private long _lowest = 1;

        /// <summary>
        /// Batches still awaiting a receipt: a batch is done once its last publish is no longer outstanding (its receipt
        /// or rejection came, or it timed out). A topic answers a producer's publishes in order, so its last one comes last.
        /// </summary>
        public int BatchesInFlight()
        {
            InFlight.RemoveAll(last => last.Done);
            return InFlight.Count;
        }

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

    /// <summary>The topics a drain took publishes of (kept between drains: one set per drain was 4% of a W1 client's allocations).</summary>
    private readonly HashSet<string> _touched = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ITimerScheduler Timers { get; set; } = null!;

    private readonly PublishQueue _queue;
    private readonly PublishBudget _budget;
    private readonly Dictionary<string, TransientQueue> _transient = new(StringComparer.Ordinal);

    /// <summary>
    /// The topic actor of each transient queue, learned from its grants as durable publishes learn it from receipts:
    /// transient batches go to it straight, past the shard region's hops (and, to a remote topic, past Akka's endpoint
    /// actors), while it lives. Nothing is sent before the topic's first grant, so no batch sent the long way can be
    /// overtaken by one sent straight.
    /// </summary>
    private readonly Dictionary<string, IActorRef> _transientTopics = new(StringComparer.Ordinal);

    public static Props Props(IActorRef region, ClientSettings settings, PublishQueue queue, PublishBudget budget) =>
        Akka.Actor.Props.Create(() => new PublisherActor(region, settings, queue, budget));

    public PublisherActor(IActorRef region, ClientSettings settings, PublishQueue queue, PublishBudget budget)
    {
        (_region, _settings, _queue, _budget) = (region, settings, queue, budget);
        Receive<FlushPublishes>(_ => DrainPublishes());
        Receive<PublishReceipts>(rs =>
        {
            foreach (var r in rs.Receipts) Take(r.Topic, r.ProducerSeq)?.Completion.TrySetResult(r);
            Learn(rs.Topic);
            SendHeld(rs.Topic);
        });
        Receive<PublishReceipt>(r =>
        {
            Take(r.Topic, r.ProducerSeq)?.Completion.TrySetResult(r);
            Learn(r.Topic);
            SendHeld(r.Topic);
        });
        Receive<Terminated>(t => TopicStopped(t.ActorRef));
        Receive<PublishRejected>(r =>
        {
            Take(r.Topic, r.ProducerSeq)?.Completion.TrySetException(new PubSubRejectedException(r.Code, r.Reason));
            SendHeld(r.Topic);
        });
        Receive<ResendTick>(_ =>
        {
            Resend();
            foreach (var topic in _topics.Keys) SendHeld(topic);
            AskAgainForTransientCredit();
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
            {
                _budget.Release(o.Bytes);
                o.Completion.TrySetException(new PubSubUnavailableException(
                    "ActorPubSub is unavailable: the publisher stopped (its ActorSystem is shutting down) before the receipt arrived; the message may or may not be stored."));
            }
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
            // Not sent yet: SentAt is set when it goes out, so the resend never picks a held publish before its turn.
            var outstanding = new Outstanding(publish, s.Completion, long.MaxValue, giveUpAt, s.Bytes);
            producer.Outstanding[seq] = outstanding;
            producer.Held.Add(outstanding);
            _touched.Add(s.Topic);
        }
        foreach (var topic in _touched) SendHeld(topic);
        _touched.Clear();
    }

    /// <summary>
    /// Sends a topic's held publishes, in order, while fewer than publish-batches-in-flight batches await their receipts.
    /// A fast publisher's messages so gather into batches while the topic writes the ones before (no timer, no count to
    /// reach: a publish with nothing in flight goes at once); a slow one's go one by one as before.
    /// </summary>
    private void SendHeld(string topic)
    {
        if (!_topics.TryGetValue(topic, out var producer) || producer.Held.Count == 0) return;
        // Nothing can go (every batch place taken, or the switch to the topic itself waits): return before touching the
        // held list, which a fast publisher keeps up to its whole window long, and which every drain and receipt visits.
        if (producer.Switching || producer.BatchesInFlight() >= _settings.PublishBatchesInFlight) return;
        // Publishes that timed out while held are failed already: not sent.
        producer.Held.RemoveAll(o => o.Done);
        var now = Environment.TickCount64;
        var start = 0;
        while (start < producer.Held.Count && !producer.Switching && producer.BatchesInFlight() < _settings.PublishBatchesInFlight)
        {
            var end = BatchEnd(producer.Held, start);
            for (var i = start; i < end; i++) producer.Held[i].SentAt = now;
            SendRange(topic, producer, producer.Held, start, end);
            producer.InFlight.Add(producer.Held[end - 1]);
            start = end;
        }
        producer.Held.RemoveRange(0, start);
    }

    /// <summary>Sends a topic's publishes in order, in batches within the limits of <see cref="BatchEnd"/> (the resend's path).</summary>
    private void SendBatch(string topic, TopicProducer producer, List<Outstanding> publishes)
    {
        for (var start = 0; start < publishes.Count;)
        {
            var end = BatchEnd(publishes, start);
            SendRange(topic, producer, publishes, start, end);
            start = end;
        }
    }

    /// <summary>
    /// The end of the batch from <paramref name="start"/>: at most MaxBatchMessages and <see cref="ClientSettings.BatchBytes"/>
    /// (every field in UTF-8 bytes and its framing, so a batch fits the remote frame; one message always goes).
    /// </summary>
    private int BatchEnd(List<Outstanding> publishes, int start)
    {
        var limit = _settings.BatchBytes;
        var end = start;
        var bytes = 0;
        while (end < publishes.Count && end - start < MaxBatchMessages)
        {
            var p = publishes[end].Publish;
            var size = MessageSize.Of(p.Payload, p.Key, p.Headers, p.MessageId) + ClientSettings.PerMessageOverhead;
            if (end > start && bytes + size > limit) break;
            bytes += size;
            end++;
        }
        return end;
    }

    private void SendRange(string topic, TopicProducer producer, List<Outstanding> publishes, int start, int end)
    {
        IActorRef to;
        if (producer.Straight)
        {
            to = producer.Topic!;
        }
        else
        {
            to = _region;
            producer.LastViaRegion = publishes[end - 1];
        }
        if (end - start == 1)
        {
            Outbound.Tell(to, publishes[start].Publish);
            return;
        }
        var batch = new Publish[end - start];
        for (var i = start; i < end; i++) batch[i - start] = publishes[i].Publish;
        Outbound.Tell(to, new PublishBatch(topic, ImmutableCollectionsMarshal.AsImmutableArray(batch)) { CompactReceipts = true });
    }

    /// <summary>
    /// Remembers the topic actor that sent a receipt, when it is a sharded topic entity (not a relay such as a
    /// cluster client's tunnel), and watches it, so its stopping (passivation, hand-off, its node gone) sends the
    /// publishes awaiting receipts through the shard region again at once.
    /// </summary>
    private void Learn(string topic)
    {
        if (!_settings.PublishStraightToTopic) return;
        if (!_topics.TryGetValue(topic, out var producer) || producer.Topic is not null || !IsTopicEntity(Sender)) return;
        producer.Topic = Sender;
        Context.Watch(Sender);   // watching an actor already watched does nothing
    }

    private static bool IsTopicEntity(IActorRef sender)
    {
        if (sender.IsNobody() || sender is DeadLetterActorRef) return false;
        // /system/sharding/<type name>/<shard>/<entity>
        var elements = sender.Path.Elements;
        return elements.Count == 5 && elements[0] == "system" && elements[1] == "sharding" && elements[2] == TopicRegion.TypeName;
    }

    private void TopicStopped(IActorRef topicActor)
    {
        // Transient batches find the topic through the shard region again; the new one's grants name it anew.
        foreach (var (topic, actor) in _transientTopics.ToList())
            if (actor.Equals(topicActor)) _transientTopics.Remove(topic);
        foreach (var (topic, producer) in _topics)
        {
            if (!topicActor.Equals(producer.Topic)) continue;
            producer.Topic = null;
            // What was sent to it and is unanswered may have died with it (held ones were never sent: SentAt is max).
            if (SendAgain(topic, producer, sentBy: long.MaxValue - 1) is var count and > 0)
                _log.Debug("Topic {Topic} stopped with {Count} publishes unanswered: sent again through the shard region", topic, count);
            SendHeld(topic);
        }
    }

    private void DrainTransient(TransientQueue queue)
    {
        // Re-arm before draining: a publish enqueued from here on requests the next flush itself.
        Volatile.Write(ref queue.FlushRequested, 0);
        _transient.TryAdd(queue.Topic, queue);
        // Only what the topic granted goes out; what is held beyond it is asked for (the topic answers with credit).
        var to = _transientTopics.GetValueOrDefault(queue.Topic) ?? _region;
        while (queue.Take(TransientBatchMessages, _settings.BatchBytes) is { Count: > 0 } batch)
            Outbound.Tell(to, new PublishTransient(queue.Topic, [.. batch]));
        if (queue.Demand() is var wanted and > 0) Outbound.Tell(to, new TransientDemand(queue.Topic, wanted));
    }

    /// <summary>The topic's credit: what is queued goes out, and waiting publishes get its room.</summary>
    private void Credit(TransientAccepted accepted)
    {
        if (!_transient.TryGetValue(accepted.Topic, out var queue)) return;
        queue.Grant(accepted.Count);
        LearnTransient(accepted.Topic);
        DrainTransient(queue);
    }

    /// <summary>Remembers and watches the topic actor that granted transient credit (see <see cref="_transientTopics"/>).</summary>
    private void LearnTransient(string topic)
    {
        if (!_settings.PublishStraightToTopic || _transientTopics.ContainsKey(topic) || !IsTopicEntity(Sender)) return;
        _transientTopics[topic] = Sender;
        Context.Watch(Sender);
    }

    /// <summary>A topic that granted nothing for long may have lost the demand (it restarted or moved): tell it again.</summary>
    private void AskAgainForTransientCredit()
    {
        var timeout = TimeSpan.FromTicks(_settings.ResendAfter.Ticks * 5);
        foreach (var queue in _transient.Values)
            if (queue.AskAgain(timeout))
            {
                _log.Debug("Topic {Topic} granted no transient credit for {Timeout}: asking again (it may have restarted or moved)",
                    queue.Topic, timeout);
                DrainTransient(queue);
            }
    }

    /// <summary>The publish a receipt or rejection answers, out of the outstanding ones; null when it was answered or given up before.</summary>
    private Outstanding? Take(string topic, long producerSeq)
    {
        if (!_topics.TryGetValue(topic, out var producer) || !producer.Outstanding.Remove(producerSeq, out var o)) return null;
        o.Done = true;
        _budget.Release(o.Bytes);
        return o;
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
                o.Done = true;
                _budget.Release(o.Bytes);
                o.Completion.TrySetException(new TimeoutException(
                    $"No receipt from topic '{topic}' within {_settings.PublishTimeout}; the message may or may not be stored."));
            }
            if (SendAgain(topic, producer, sentBy: due) is var count and > 0)
                _log.Debug("Resent {Count} publishes to topic {Topic} without receipt", count, topic);
        }
    }

    /// <summary>
    /// Sends again the publishes of <paramref name="producer"/> last sent at or before <paramref name="sentBy"/>, in
    /// order from the oldest (the topic accepts each producer's numbers in sequence only), through the shard region:
    /// a late receipt or a stopped topic actor may mean the topic moved, and the region finds it. The number sent.
    /// </summary>
    private int SendAgain(string topic, TopicProducer producer, long sentBy)
    {
        var now = Environment.TickCount64;
        var again = new List<Outstanding>();
        foreach (var (seq, o) in producer.InOrder())
        {
            if (o.SentAt > sentBy) break;
            o.Publish = o.Publish with { ProducerFloor = producer.Floor(seq) };
            o.SentAt = now;
            again.Add(o);
        }
        if (again.Count == 0) return 0;
        producer.Topic = null;
        SendBatch(topic, producer, again);
        return again.Count;
    }
}
