using System.Collections.Concurrent;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Tests.Support;
using ActorPubSub.Messages;

namespace ActorPubSub.Tests.Delivery;

/// <summary>Attempt counts are written on failure, so they carry on when the topic's node restarts.</summary>
[Trait("Category", "Integration")]
public sealed class AttemptsAcrossRestartSpec : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Attempt_count_should_continue_after_the_topic_system_stops_between_attempts()
    {
        // arrange: a handler that always fails; a long enough backoff that the node stops between attempts
        var options = new PubSubOptions { SqliteFile = _db.File };
        var subscription = new SubscriptionOptions
        {
            MaxDeliveryAttempts = 4,
            Backoff = new RetryBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 1),
        };
        var before = new ConcurrentQueue<int>();
        await using (var first = await PubSubNode.StartAsync(options))
        {
            await using var failing = await first.Client.SubscribeAsync<string>("restart", "s", (d, _) =>
            {
                before.Enqueue(d.Attempt);
                throw new InvalidOperationException($"attempt {d.Attempt} failed");
            }, subscription);
            await first.Client.PublishAsync("restart", "x");
            await Eventually.HoldsAsync(() => before.Count >= 2, "two attempts failed");

            // act: stop the topic's ActorSystem between attempts
            await first.StopAsync();
        }

        // assert: the attempts continue from where they were; after the 4th the message is dead-lettered
        var after = new ConcurrentQueue<int>();
        await using var second = await PubSubNode.StartAsync(options);
        await using var resumed = await second.Client.SubscribeAsync<string>("restart", "s", (d, _) =>
        {
            after.Enqueue(d.Attempt);
            throw new InvalidOperationException($"attempt {d.Attempt} failed");
        }, subscription);
        var letter = await Eventually.HoldsAsync(() => second.Client.GetDeadLetterAsync("restart", "s", 1),
            l => l is not null, "the message was dead-lettered after its 4th attempt");
        Assert.Equal(4, letter!.Attempts);
        Assert.Equal([1, 2], before.Take(2));
        // The count carries on: the first attempt after the restart is the 3rd (or the 4th, had the 3rd failed
        // before the stop); it never starts again at 1.
        Assert.True(after.First() >= 3, $"the first attempt after the restart was {after.First()}");
        Assert.Equal(after.Order(), after);
        Assert.Contains("attempt 4 failed", letter.LastError);
    }
}
