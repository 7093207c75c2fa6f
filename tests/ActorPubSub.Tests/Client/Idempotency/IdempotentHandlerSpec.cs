using ActorPubSub.Client;
using ActorPubSub.Client.Idempotency;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Client.Idempotency;

/// <summary>
/// The idempotent wrapper: what it skips, what it runs again, and how concurrent deliveries of one key wait for
/// each other. Concurrency is driven with TaskCompletionSource gates, never with sleeps.
/// </summary>
[Trait("Category", "Unit")]
public sealed class IdempotentHandlerSpec
{
    private static Delivery<string> Delivery(long sequence, string? messageId = null, string topic = "orders", int attempt = 1) =>
        new(topic, "billing", sequence, attempt, DateTime.UnixEpoch, $"body-{sequence}", null, null, messageId);

    /// <summary>A handler that records what it ran and finishes each call when the test says so (or at once).</summary>
    private sealed class RecordingHandler
    {
        private readonly Queue<TaskCompletionSource> _gates = new();
        private readonly Lock _lock = new();

        public List<Delivery<string>> Runs { get; } = [];

        /// <summary>The next call waits on the returned gate instead of completing at once.</summary>
        public TaskCompletionSource HoldNext()
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock) _gates.Enqueue(gate);
            return gate;
        }

        public Task Handle(Delivery<string> delivery, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                Runs.Add(delivery);
                return _gates.TryDequeue(out var gate) ? gate.Task : Task.CompletedTask;
            }
        }
    }

    [Fact]
    public async Task Wrapped_handler_should_skip_a_message_id_it_already_processed()
    {
        // arrange: a publisher retry stored the message twice, so the duplicate has its own sequence
        var handler = new RecordingHandler();
        var wrapped = IdempotentHandler.Wrap<string>(handler.Handle);
        await wrapped(Delivery(1, "m-1"), CancellationToken.None);

        // act
        await wrapped(Delivery(2, "m-1"), CancellationToken.None);

        // assert
        Assert.Equal([1L], handler.Runs.Select(d => d.Sequence));
    }

    [Fact]
    public async Task Wrapped_handler_should_skip_a_redelivery_of_a_sequence_it_already_processed()
    {
        // arrange
        var handler = new RecordingHandler();
        var wrapped = IdempotentHandler.Wrap<string>(handler.Handle);
        await wrapped(Delivery(7), CancellationToken.None);

        // act
        await wrapped(Delivery(7, attempt: 2), CancellationToken.None);

        // assert
        Assert.Single(handler.Runs);
    }

    [Fact]
    public async Task Wrapped_handler_should_run_distinct_keys()
    {
        // arrange
        var handler = new RecordingHandler();
        var wrapped = IdempotentHandler.Wrap<string>(handler.Handle);

        // act: other sequences, the same sequence in another topic, other message ids
        await wrapped(Delivery(1), CancellationToken.None);
        await wrapped(Delivery(2), CancellationToken.None);
        await wrapped(Delivery(1, topic: "refunds"), CancellationToken.None);
        await wrapped(Delivery(3, "m-1"), CancellationToken.None);
        await wrapped(Delivery(3, "m-2"), CancellationToken.None);

        // assert
        Assert.Equal(5, handler.Runs.Count);
    }

    [Fact]
    public async Task Wrapped_handler_should_always_run_transient_messages_without_a_message_id()
    {
        // arrange: transient messages all have sequence 0, so "{Topic}/0" would wrongly merge them
        var handler = new RecordingHandler();
        var wrapped = IdempotentHandler.Wrap<string>(handler.Handle);

        // act
        await wrapped(Delivery(0, attempt: 0), CancellationToken.None);
        await wrapped(Delivery(0, attempt: 0), CancellationToken.None);

        // assert
        Assert.Equal(2, handler.Runs.Count);
    }

    [Fact]
    public async Task Wrapped_handler_should_not_remember_a_key_whose_handler_failed()
    {
        // arrange
        var handler = new RecordingHandler();
        var wrapped = IdempotentHandler.Wrap<string>(handler.Handle);
        handler.HoldNext().SetException(new InvalidOperationException("database down"));

        // act
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => wrapped(Delivery(1), CancellationToken.None));
        await wrapped(Delivery(1, attempt: 2), CancellationToken.None);
        await wrapped(Delivery(1, attempt: 3), CancellationToken.None);

        // assert: the failure reached the caller (to be nacked), the retry ran, and the third attempt was skipped
        Assert.Equal("database down", failure.Message);
        Assert.Equal([1, 2], handler.Runs.Select(d => d.Attempt));
    }

    [Fact]
    public async Task Wrapped_handler_should_not_remember_a_key_whose_handler_threw_before_returning_a_task()
    {
        // arrange
        var runs = 0;
        var wrapped = IdempotentHandler.Wrap<string>((_, _) =>
        {
            if (++runs == 1) throw new InvalidOperationException("synchronous");
            return Task.CompletedTask;
        });

        // act
        await Assert.ThrowsAsync<InvalidOperationException>(() => wrapped(Delivery(1), CancellationToken.None));
        await wrapped(Delivery(1, attempt: 2), CancellationToken.None);

        // assert
        Assert.Equal(2, runs);
    }

    [Fact]
    public async Task Wrapped_handler_should_run_a_key_again_after_its_ttl()
    {
        // arrange
        var clock = new ManualTimeProvider();
        var handler = new RecordingHandler();
        var wrapped = IdempotentHandler.Wrap<string>(handler.Handle,
            new IdempotencyOptions { Ttl = TimeSpan.FromMinutes(5), TimeProvider = clock });
        await wrapped(Delivery(1, "m-1"), CancellationToken.None);

        // act
        clock.Advance(TimeSpan.FromMinutes(4));
        await wrapped(Delivery(2, "m-1"), CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(1));
        await wrapped(Delivery(3, "m-1"), CancellationToken.None);

        // assert: skipped within the TTL of the first run, run again once it expired
        Assert.Equal([1L, 3], handler.Runs.Select(d => d.Sequence));
    }

    [Fact]
    public async Task Wrapped_handler_should_run_a_key_again_once_its_capacity_evicted_it()
    {
        // arrange
        var handler = new RecordingHandler();
        var wrapped = IdempotentHandler.Wrap<string>(handler.Handle, new IdempotencyOptions { Capacity = 2 });
        await wrapped(Delivery(1), CancellationToken.None);
        await wrapped(Delivery(2), CancellationToken.None);
        await wrapped(Delivery(3), CancellationToken.None);

        // act
        await wrapped(Delivery(3, attempt: 2), CancellationToken.None);
        await wrapped(Delivery(1, attempt: 2), CancellationToken.None);

        // assert: 3 was still remembered, 1 had been evicted by 3
        Assert.Equal([1L, 2, 3, 1], handler.Runs.Select(d => d.Sequence));
    }

    [Fact]
    public async Task Concurrent_delivery_of_a_key_should_wait_for_the_first_and_be_skipped_when_it_succeeds()
    {
        // arrange
        var handler = new RecordingHandler();
        var wrapped = IdempotentHandler.Wrap<string>(handler.Handle);
        var gate = handler.HoldNext();
        var first = wrapped(Delivery(1, attempt: 1), CancellationToken.None);

        // act
        var second = wrapped(Delivery(1, attempt: 2), CancellationToken.None);

        // assert: the second waits while the first runs, then completes without running
        Assert.False(second.IsCompleted);
        Assert.Single(handler.Runs);
        gate.SetResult();
        await first;
        await second;
        Assert.Equal([1], handler.Runs.Select(d => d.Attempt));
    }

    [Fact]
    public async Task Concurrent_delivery_of_a_key_should_run_when_the_first_fails()
    {
        // arrange
        var handler = new RecordingHandler();
        var wrapped = IdempotentHandler.Wrap<string>(handler.Handle);
        var gate = handler.HoldNext();
        var first = wrapped(Delivery(1, attempt: 1), CancellationToken.None);
        var second = wrapped(Delivery(1, attempt: 2), CancellationToken.None);
        var third = wrapped(Delivery(1, attempt: 3), CancellationToken.None);
        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted);

        // act
        gate.SetException(new InvalidOperationException("first failed"));

        // assert: the first fails, one waiter runs and succeeds, the other is then skipped
        await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        await second;
        await third;
        Assert.Equal(2, handler.Runs.Count);
        Assert.Equal(1, handler.Runs[0].Attempt);
    }

    [Fact]
    public async Task Concurrent_deliveries_of_different_keys_should_not_wait_for_each_other()
    {
        // arrange
        var handler = new RecordingHandler();
        var wrapped = IdempotentHandler.Wrap<string>(handler.Handle);
        var gate = handler.HoldNext();
        var first = wrapped(Delivery(1), CancellationToken.None);

        // act
        var other = wrapped(Delivery(2), CancellationToken.None);

        // assert
        Assert.True(other.IsCompletedSuccessfully);
        Assert.False(first.IsCompleted);
        gate.SetResult();
        await first;
    }

    [Fact]
    public async Task Waiting_delivery_should_stop_waiting_when_cancelled_and_leave_the_key_to_the_first()
    {
        // arrange
        var handler = new RecordingHandler();
        var wrapped = IdempotentHandler.Wrap<string>(handler.Handle);
        var gate = handler.HoldNext();
        var first = wrapped(Delivery(1, attempt: 1), CancellationToken.None);
        using var cancellation = new CancellationTokenSource();
        var second = wrapped(Delivery(1, attempt: 2), cancellation.Token);

        // act
        await cancellation.CancelAsync();

        // assert
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
        gate.SetResult();
        await first;
        await wrapped(Delivery(1, attempt: 3), CancellationToken.None);
        Assert.Single(handler.Runs);
    }

    [Fact]
    public async Task Wrapped_handler_should_deduplicate_on_the_key_the_selector_chooses()
    {
        // arrange: the key is inside the message; the same body under two sequences is one message
        var handler = new RecordingHandler();
        var wrapped = IdempotentHandler.Wrap<string>(handler.Handle, d => d.Message == "skip-me" ? null : d.Message);

        // act
        await wrapped(Delivery(1) with { Message = "order-9" }, CancellationToken.None);
        await wrapped(Delivery(2) with { Message = "order-9" }, CancellationToken.None);
        await wrapped(Delivery(3) with { Message = "skip-me" }, CancellationToken.None);
        await wrapped(Delivery(3) with { Message = "skip-me" }, CancellationToken.None);

        // assert: a null key is never deduplicated
        Assert.Equal([1L, 3, 3], handler.Runs.Select(d => d.Sequence));
    }

    [Theory]
    [InlineData("orders", 42L, "m-1", "m-1")]
    [InlineData("orders", 42L, null, "orders/42")]
    [InlineData("orders", 42L, "", "orders/42")]
    [InlineData("orders", 0L, "m-1", "m-1")]
    [InlineData("orders", 0L, null, null)]
    public void DefaultKey_should_be_the_message_id_else_topic_and_sequence(string topic, long sequence, string? messageId, string? expected)
    {
        // act
        var key = IdempotentHandler.DefaultKey(Delivery(sequence, messageId, topic));

        // assert
        Assert.Equal(expected, key);
    }
}
