using System.Collections.Concurrent;
using System.Diagnostics;
using ActorPubSub.Client;
using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;
using Akka.Actor;
using ActorPubSub.Messages;

namespace ActorPubSub.Tests.Delivery;

/// <summary>A failing handler: retried with the subscription's backoff until it succeeds or its attempts run out.</summary>
[Trait("Category", "Integration")]
public sealed class RetrySpec : NodeSpec
{
    [Fact]
    public async Task Handler_that_fails_twice_should_be_delivered_three_times_with_growing_gaps_then_acked_and_never_dead_lettered()
    {
        // arrange: backoff 200 ms, x4 — the second gap is nominally 800 ms (640-960 with jitter)
        var seen = new ConcurrentQueue<(int Attempt, long At)>();
        var clock = Stopwatch.StartNew();
        var options = new SubscriptionOptions
        {
            MaxDeliveryAttempts = 5,
            Backoff = new RetryBackoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), 4),
        };
        await using var sub = await Node.Client.SubscribeAsync<string>("retry", "s", (d, _) =>
        {
            seen.Enqueue((d.Attempt, clock.ElapsedMilliseconds));
            return d.Attempt < 3 ? throw new InvalidOperationException($"failure {d.Attempt}") : Task.CompletedTask;
        }, options);

        // act
        await Node.Client.PublishAsync("retry", "x");

        // assert
        var info = await Eventually.HoldsAsync(() => Node.Client.GetTopicInfoAsync("retry"),
            i => i.Subscriptions.Single().Watermark == 1, "the third attempt was acknowledged");
        var attempts = seen.ToArray();
        Assert.Equal([1, 2, 3], attempts.Select(a => a.Attempt));
        var firstGap = attempts[1].At - attempts[0].At;
        var secondGap = attempts[2].At - attempts[1].At;
        // A backoff never fires early; lateness (a busy machine) only lengthens a gap, so the lower bounds hold.
        Assert.True(firstGap >= 150, $"first retry after {firstGap} ms, before the 200 ms backoff (-20% jitter)");
        Assert.True(secondGap >= 600, $"second retry after {secondGap} ms, before the 800 ms backoff (-20% jitter)");
        Assert.True(secondGap > firstGap, $"gaps did not grow: {firstGap} ms then {secondGap} ms");
        Assert.Equal(0, info.Subscriptions.Single().Pending);
        Assert.Equal(0, info.Subscriptions.Single().DeadLettering);
        Assert.Equal(0, (await Node.Client.ListDeadLettersAsync("retry", "s")).Total);
    }

    [Fact]
    public async Task Handler_timeout_should_count_as_a_failed_attempt_and_be_retried()
    {
        // arrange: the first attempt hangs past the handler timeout
        var attempts = new ConcurrentQueue<int>();
        var options = new SubscriptionOptions
        {
            Backoff = new RetryBackoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50), 1),
        };
        await using var sub = await Node.Client.SubscribeAsync<string>("hang", "s", (d, ct) =>
        {
            attempts.Enqueue(d.Attempt);
            return d.Attempt == 1 ? Task.Delay(Timeout.Infinite, ct) : Task.CompletedTask;
        }, options, new ConsumerOptions { HandlerTimeout = TimeSpan.FromMilliseconds(300) });

        // act
        await Node.Client.PublishAsync("hang", "x");

        // assert
        await Eventually.HoldsAsync(() => Node.Client.GetTopicInfoAsync("hang"),
            i => i.Subscriptions.Single().Watermark == 1, "the second attempt was acknowledged");
        Assert.Equal([1, 2], attempts);
    }

    [Fact]
    public async Task Delivery_not_acknowledged_within_the_ack_deadline_should_count_as_an_attempt()
    {
        // arrange: an actor-protocol consumer that never answers the first delivery
        var consumer = Kit.CreateTestProbe();
        await Node.Client.CreateSubscriptionAsync("deadline", "s",
            new SubscriptionOptions { AckDeadline = TimeSpan.FromMilliseconds(300), MaxDeliveryAttempts = 2 });
        await Node.Client.PublishAsync("deadline", "x");
        Node.Region.Tell(new Consume("deadline", "s", consumer.Ref, 10), consumer.Ref);

        // act / assert: attempt 1, deadline, attempt 2, deadline: dead-lettered (max 2 attempts)
        var first = consumer.FishForMessage<Deliver>(_ => true, TimeSpan.FromSeconds(10));
        Assert.Equal([1], first.Attempts.ToArray());
        var second = consumer.FishForMessage<Deliver>(_ => true, TimeSpan.FromSeconds(10));
        Assert.Equal([2], second.Attempts.ToArray());
        var letter = await Eventually.HoldsAsync(() => Node.Client.GetDeadLetterAsync("deadline", "s", 1),
            l => l is not null, "the message was dead-lettered");
        Assert.Equal(2, letter!.Attempts);
        Assert.Contains("ack deadline", letter.LastError);
    }
}
