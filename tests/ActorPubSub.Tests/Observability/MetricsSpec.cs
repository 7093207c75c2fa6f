using ActorPubSub.Client;
using ActorPubSub.Observability;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics.Subscriptions;
using static ActorPubSub.Observability.InstrumentNames;

namespace ActorPubSub.Tests.Observability;

/// <summary>
/// The ActorPubSub meter read by a MeterListener while a real node (SQLite) publishes, delivers, acks, nacks,
/// retries and dead-letters: every counter moves by exactly what happened, the gauges follow the subscription's
/// state, the journal histograms record writes. Each test uses topics of its own (other tests publish meanwhile).
/// </summary>
[Trait("Category", "Integration")]
public sealed class MetricsSpec : NodeSpec, IDisposable
{
    private static readonly RetryBackoff QuickRetry = new(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(50), 1);
    private readonly string _prefix = $"obs-metrics-{Guid.NewGuid():N}";
    private readonly MeterCollector _meter;

    public MetricsSpec() => _meter = new MeterCollector(_prefix);

    public void Dispose() => _meter.Dispose();

    [Fact]
    public async Task Counters_and_gauges_should_follow_acks_nacks_retries_and_dead_letters_exactly()
    {
        // arrange: 10 messages succeed; "fail" fails both of its 2 attempts; "poison" is declared unprocessable
        var topic = $"{_prefix}-flow";
        var writesBefore = _meter.Recordings(JournalWriteDuration).Count;
        var log = new DeliveryLog<string>();
        await using var subscription = await Node.Client.SubscribeAsync<string>(topic, "billing", (d, ct) =>
        {
            log.Add(d);
            return d.Message switch
            {
                "fail" => throw new InvalidOperationException("bad total"),
                "poison" => throw new UnprocessableMessageException("not an order"),
                _ => Task.CompletedTask,
            };
        }, new SubscriptionOptions { MaxDeliveryAttempts = 2, Backoff = QuickRetry });

        // act
        for (var i = 1; i <= 10; i++) await Node.Client.PublishAsync(topic, $"order {i}");
        await Node.Client.PublishAsync(topic, "fail");
        await Node.Client.PublishAsync(topic, "poison");
        await Eventually.HoldsAsync(() => _meter.Count(MessagesDeadLettered, topic) == 2, "two messages were dead-lettered");
        var info = await Eventually.HoldsAsync(() => Node.Client.GetTopicInfoAsync(topic),
            i => i.Subscriptions.Single() is { Pending: 0, DeadLetters: 2 }, "the dead letters are confirmed and counted");

        // assert: counts are exact (one delivery per attempt: 10 + 2 for "fail" + 1 for "poison")
        Assert.Equal(12, _meter.Count(MessagesPublished, topic));
        await Eventually.HoldsAsync(() => _meter.Count(MessagesAcked, topic, "billing") == 10, "10 acks were counted");
        Assert.Equal(13, _meter.Count(MessagesDelivered, topic, "billing"));
        Assert.Equal(1, _meter.Count(MessagesRedelivered, topic, "billing"));
        Assert.Equal(3, _meter.Count(MessagesNacked, topic, "billing"));
        Assert.Equal(1, _meter.Count(MessagesDeadLettered, topic, "billing", "max_delivery_attempts"));
        Assert.Equal(1, _meter.Count(MessagesDeadLettered, topic, "billing", "unprocessable"));
        Assert.Equal(0, _meter.Count(MessagesExpired, topic, "billing"));
        Assert.Equal(13, log.Count);

        // gauges: nothing pending or in flight, one consumer, two letters in the store
        Assert.Equal(0, _meter.Gauge(ConsumerLag, topic, "billing"));
        Assert.Equal(0, _meter.Gauge(ConsumerLagAge, topic, "billing"));
        Assert.Equal(0, _meter.Gauge(InFlight, topic, "billing"));
        Assert.Equal(1, _meter.Gauge(InstrumentNames.Consumers, topic, "billing"));
        Assert.Equal(2, _meter.Gauge(DeadLetterDepth, topic, "billing"));
        Assert.True(_meter.Gauge(TopicsActive) >= 1);
        Assert.Equal((0L, TimeSpan.Zero, 0), (info.Subscriptions[0].Pending, info.Subscriptions[0].OldestUnackedAge, info.Subscriptions[0].InFlight));

        // histograms: the journal writes of these messages were timed and sized (untagged: other tests add to them)
        Assert.True(_meter.Recordings(JournalWriteDuration).Count > writesBefore);
        Assert.All(_meter.Recordings(JournalWriteDuration), seconds => Assert.True(seconds >= 0));
        Assert.True(_meter.Recordings(JournalWriteBatchSize).Sum() >= 12);
    }

    [Fact]
    public async Task Redrive_and_purge_should_move_the_dead_letter_depth()
    {
        // arrange: three unprocessable messages in the store
        var topic = $"{_prefix}-depth";
        var redriven = 0;
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<long, byte>();
        // first delivery: poison; a redriven message (attempts reset to 1) succeeds
        await using var subscription = await Node.Client.SubscribeAsync<string>(topic, "billing", (d, _) =>
            seen.TryAdd(d.Sequence, 0) ? throw new UnprocessableMessageException("poison") : Task.FromResult(Interlocked.Increment(ref redriven)));
        for (var i = 1; i <= 3; i++) await Node.Client.PublishAsync(topic, $"order {i}");
        await Eventually.HoldsAsync(() => _meter.Gauge(DeadLetterDepth, topic, "billing") == 3, "the depth is 3");

        // act + assert: redrive one (it succeeds on its next attempt), purge one
        await Node.Client.RedriveDeadLettersAsync(topic, "billing", [1]);
        await Eventually.HoldsAsync(() => _meter.Gauge(DeadLetterDepth, topic, "billing") == 2 && Volatile.Read(ref redriven) == 1,
            "the redriven letter left the store and was handled");
        await Node.Client.PurgeDeadLettersAsync(topic, "billing", [2]);
        await Eventually.HoldsAsync(() => _meter.Gauge(DeadLetterDepth, topic, "billing") == 1, "the purge left one letter");
        Assert.Equal(1, (await Node.Client.GetTopicInfoAsync(topic)).Subscriptions.Single().DeadLetters);
        Assert.Equal(3, _meter.Count(MessagesDeadLettered, topic, "billing", "unprocessable"));
    }

    [Fact]
    public async Task Lag_should_rise_while_no_consumer_runs_and_fall_to_zero_when_one_resumes()
    {
        // arrange: a consumer keeps up
        var topic = $"{_prefix}-lag";
        var log = new DeliveryLog<string>();
        var consumer = await Node.Client.SubscribeAsync<string>(topic, "billing", log.Recording);
        for (var i = 1; i <= 2; i++) await Node.Client.PublishAsync(topic, $"order {i}");
        await log.ReceivedAsync(2);
        await Eventually.HoldsAsync(() => _meter.Gauge(ConsumerLag, topic, "billing") == 0, "the lag is 0 while the consumer keeps up");

        // act: the consumer stops; five messages wait
        await consumer.DisposeAsync();
        await Eventually.HoldsAsync(() => _meter.Gauge(InstrumentNames.Consumers, topic, "billing") == 0, "the consumer is gone");
        for (var i = 3; i <= 7; i++) await Node.Client.PublishAsync(topic, $"order {i}");

        // assert: 5 behind, and the oldest of them gets older
        await Eventually.HoldsAsync(() => _meter.Gauge(ConsumerLag, topic, "billing") == 5, "the lag is 5 messages");
        var firstAge = _meter.Gauge(ConsumerLagAge, topic, "billing")!.Value;
        await Eventually.HoldsAsync(() => _meter.Gauge(ConsumerLagAge, topic, "billing") > firstAge, "the lag's age grows");
        var behind = (await Node.Client.GetTopicInfoAsync(topic)).Subscriptions.Single();
        Assert.Equal(5, behind.Pending);
        Assert.True(behind.OldestUnackedAge > TimeSpan.Zero, $"OldestUnackedAge {behind.OldestUnackedAge}");

        // act: a consumer resumes
        await using var resumed = await Node.Client.SubscribeAsync<string>(topic, "billing", log.Recording);

        // assert: caught up
        await log.ReceivedAsync(7);
        await Eventually.HoldsAsync(() => _meter.Gauge(ConsumerLag, topic, "billing") == 0 && _meter.Gauge(ConsumerLagAge, topic, "billing") == 0,
            "the lag is back to 0 messages and 0 s");
        var caughtUp = await Eventually.HoldsAsync(() => Node.Client.GetTopicInfoAsync(topic),
            i => i.Subscriptions.Single().Pending == 0, "TopicInfo shows no lag");
        Assert.Equal(TimeSpan.Zero, caughtUp.Subscriptions.Single().OldestUnackedAge);
    }

    [Fact]
    public async Task Delivery_past_its_ack_deadline_should_count_as_expired_not_nacked()
    {
        // arrange: one attempt, a short deadline, a handler that hangs
        var topic = $"{_prefix}-expiry";
        await using var subscription = await Node.Client.SubscribeAsync<string>(topic, "billing",
            (_, ct) => Task.Delay(Timeout.Infinite, ct),
            new SubscriptionOptions { AckDeadline = TimeSpan.FromMilliseconds(300), MaxDeliveryAttempts = 1 });

        // act
        await Node.Client.PublishAsync(topic, "order 1");

        // assert
        // The topic counts the dead-lettering while it expires the delivery and the expiry right after, in the same
        // tick: a reader between the two sees one without the other, so wait for both.
        await Eventually.HoldsAsync(() => _meter.Count(MessagesDeadLettered, topic, "billing", "max_delivery_attempts") == 1
                && _meter.Count(MessagesExpired, topic, "billing") == 1,
            "the message was dead-lettered after its deadline, counted as expired");
        Assert.Equal(0, _meter.Count(MessagesNacked, topic, "billing"));
        Assert.Equal(0, _meter.Count(MessagesAcked, topic, "billing"));
    }
}
