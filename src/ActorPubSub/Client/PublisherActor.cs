using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using ActorPubSub.Payloads;
using ActorPubSub.Topics;

namespace ActorPubSub.Client;

/// <summary>
/// The resending producer behind <see cref="IPubSub.PublishAsync{T}"/>: numbers each publish per topic, keeps
/// it until its receipt arrives and resends it (same number, in order) when the receipt is late, so a
/// publish dropped by sharding during a hand-off still arrives and one whose receipt was lost is stored once.
/// </summary>
internal sealed class PublisherActor : ReceiveActor, IWithTimers
{
    /// <summary>Local only: carries the caller's completion source.</summary>
    public sealed record Send(string Topic, Payload Payload, string? Key, ImmutableDictionary<string, string>? Headers,
        string? MessageId, TaskCompletionSource<PublishReceipt> Completion);

    /// <summary>Local only: drain a topic's transient queue.</summary>
    internal sealed record FlushTransient(TransientQueue Queue);

    private const int TransientBatchMessages = 1000;
    private const int TransientBatchBytes = 256 * 1024;

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
        public readonly SortedDictionary<long, Outstanding> Outstanding = [];
        public long Floor(long fallback) => Outstanding.Count == 0 ? fallback : Outstanding.Keys.First();
    }

    private readonly IActorRef _region;
    private readonly ClientSettings _settings;
    private readonly string _producerId = Guid.NewGuid().ToString("N");
    private readonly Dictionary<string, TopicProducer> _topics = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef region, ClientSettings settings) =>
        Akka.Actor.Props.Create(() => new PublisherActor(region, settings));

    public PublisherActor(IActorRef region, ClientSettings settings)
    {
        _region = region;
        _settings = settings;
        Receive<Send>(HandleSend);
        Receive<PublishReceipt>(r => Complete(r.Topic, r.ProducerSeq, o => o.Completion.TrySetResult(r)));
        Receive<PublishRejected>(r => Complete(r.Topic, r.ProducerSeq,
            o => o.Completion.TrySetException(new PubSubRejectedException(r.Code, r.Reason))));
        Receive<ResendTick>(_ => Resend());
        Receive<FlushTransient>(f => DrainTransient(f.Queue));
    }

    protected override void PreStart() =>
        Timers.StartPeriodicTimer(nameof(ResendTick), ResendTick.Instance, TimeSpan.FromTicks(_settings.ResendAfter.Ticks / 2));

    protected override void PostStop()
    {
        foreach (var producer in _topics.Values)
            foreach (var o in producer.Outstanding.Values)
                o.Completion.TrySetException(new TimeoutException("The publisher stopped (ActorSystem shutting down) before the receipt arrived; the message may or may not be stored."));
    }

    private void HandleSend(Send s)
    {
        if (!_topics.TryGetValue(s.Topic, out var producer)) _topics[s.Topic] = producer = new TopicProducer();
        var seq = producer.NextSeq++;
        var publish = new Publish(s.Topic, s.Payload, s.Key, s.Headers, s.MessageId, _producerId, seq, producer.Floor(seq));
        var now = Environment.TickCount64;
        producer.Outstanding[seq] = new Outstanding(publish, s.Completion, now, now + (long)_settings.PublishTimeout.TotalMilliseconds);
        _region.Tell(publish);
    }

    private void DrainTransient(TransientQueue queue)
    {
        // Re-arm before draining: a publish enqueued from here on requests the next flush itself.
        Volatile.Write(ref queue.FlushRequested, 0);
        var batch = new List<TopicMessage>(Math.Min(queue.Messages.Count, TransientBatchMessages));
        var bytes = 0;
        while (queue.Messages.TryDequeue(out var message))
        {
            batch.Add(message);
            bytes += message.Size;
            if (batch.Count < TransientBatchMessages && bytes < TransientBatchBytes) continue;
            _region.Tell(new PublishTransient(queue.Topic, [.. batch]));
            batch.Clear();
            bytes = 0;
        }
        if (batch.Count > 0) _region.Tell(new PublishTransient(queue.Topic, [.. batch]));
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
            foreach (var (seq, o) in producer.Outstanding.Where(e => e.Value.GiveUpAt <= now).ToList())
            {
                producer.Outstanding.Remove(seq);
                o.Completion.TrySetException(new TimeoutException(
                    $"No receipt from topic '{topic}' within {_settings.PublishTimeout}; the message may or may not be stored."));
            }
            // In order from the oldest: the topic accepts each producer's numbers in sequence only.
            var resent = 0;
            foreach (var (seq, o) in producer.Outstanding)
            {
                if (o.SentAt > due) break;
                o.Publish = o.Publish with { ProducerFloor = producer.Floor(seq) };
                o.SentAt = now;
                _region.Tell(o.Publish);
                resent++;
            }
            if (resent > 0) _log.Debug("Resent {0} publishes to topic {1} without receipt", resent, topic);
        }
    }
}
