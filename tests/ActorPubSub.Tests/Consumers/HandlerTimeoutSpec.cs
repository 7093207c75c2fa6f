using ActorPubSub.Client;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Consumers;

/// <summary>
/// The handler timeout cancels the handler's token; a handler that ignores it keeps its place (MaxInFlight is a hard cap)
/// and a redelivery of its message waits for it, so one consumer never handles a message twice at once.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HandlerTimeoutSpec : NodeSpec
{
    private static readonly RetryBackoff QuickRetry = new(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(50), 2);

    /// <summary>
    /// How long a timed-out handler keeps running after its cancellation: the topic redelivers after 20-50 ms, so a
    /// consumer that ran the redelivery at once would show it well within this. Passing does not depend on it.
    /// </summary>
    private static readonly TimeSpan KeepRunning = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_timed_out_handler_should_see_its_token_cancelled_and_the_message_should_come_again()
    {
        // arrange
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = new System.Collections.Concurrent.ConcurrentQueue<int>();

        // act: the first attempt waits on its token, the second succeeds
        await using var sub = await Node.Client.SubscribeAsync<string>("slow", "s", async (d, ct) =>
        {
            attempts.Enqueue(d.Attempt);
            if (d.Attempt > 1) return;
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult();
                throw;
            }
        }, new SubscriptionOptions { Backoff = QuickRetry }, new ConsumerOptions { HandlerTimeout = TimeSpan.FromMilliseconds(300) });
        await Node.Client.PublishAsync("slow", "m");

        // assert
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await Eventually.HoldsAsync(() => attempts.Contains(2), "the message is delivered again");
    }

    [Fact]
    public async Task A_redelivery_should_wait_for_the_handler_that_still_runs_and_MaxInFlight_should_be_a_hard_cap()
    {
        // arrange: handlers that ignore their token; at most 2 at once
        var running = 0;
        var maxRunning = 0;
        var concurrentSameMessage = 0;
        var active = new System.Collections.Concurrent.ConcurrentDictionary<long, int>();
        var timedOut = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = new System.Collections.Concurrent.ConcurrentDictionary<long, bool>();
        await using var sub = await Node.Client.SubscribeAsync<string>("capped", "s", async (d, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref maxRunning, now);
            if (active.AddOrUpdate(d.Sequence, 1, (_, n) => n + 1) > 1) Interlocked.Increment(ref concurrentSameMessage);
            try
            {
                if (!release.Task.IsCompleted)
                {
                    // ignores its token: runs on after the timeout
                    await Task.WhenAny(release.Task, Task.Delay(KeepRunning, CancellationToken.None).ContinueWith(_ => { }));
                    if (ct.IsCancellationRequested) Interlocked.Increment(ref timedOut);
                    ct.ThrowIfCancellationRequested();
                }
                done[d.Sequence] = true;
            }
            finally
            {
                active.AddOrUpdate(d.Sequence, 0, (_, n) => n - 1);
                Interlocked.Decrement(ref running);
            }
        }, new SubscriptionOptions { Backoff = QuickRetry }, new ConsumerOptions { HandlerTimeout = TimeSpan.FromMilliseconds(200), MaxInFlight = 2 });

        // act: 5 messages; the first handlers time out and keep running, their messages are redelivered meanwhile
        for (var i = 0; i < 5; i++) await Node.Client.PublishAsync("capped", $"m{i}");
        await Eventually.HoldsAsync(() => Volatile.Read(ref timedOut) >= 4, "four handlers timed out and ended", TimeSpan.FromSeconds(60));
        release.TrySetResult();

        // assert
        await Eventually.HoldsAsync(() => done.Count == 5, "every message is handled in the end", TimeSpan.FromSeconds(60));
        Assert.True(maxRunning <= 2, $"{maxRunning} handlers ran at once; MaxInFlight is 2");
        Assert.Equal(0, concurrentSameMessage);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }
}
