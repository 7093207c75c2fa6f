using System.Collections.Concurrent;
using ActorPubSub.Client;
using ActorPubSub.DeadLetters;
using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Tests.Support;
using ActorPubSub.Messages;

namespace ActorPubSub.Tests.Delivery;

/// <summary>Poison messages: dead-lettered after their attempts, inspected, redriven and purged.</summary>
[Trait("Category", "Integration")]
public sealed class DeadLetterSpec : NodeSpec
{
    private static readonly SubscriptionOptions FastRetries = new()
    {
        MaxDeliveryAttempts = 3,
        Backoff = new RetryBackoff(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(50), 2),
    };

    [Fact]
    public async Task Poison_message_should_be_dead_lettered_after_its_attempts_while_the_stream_flows_then_redriven_once_fixed()
    {
        // arrange: message 7 fails until the handler is fixed; the others succeed
        var fixedHandler = false;
        var processed = new ConcurrentQueue<int>();
        var attemptsOfPoison = new ConcurrentQueue<int>();
        await using var sub = await Node.Client.SubscribeAsync<int>("poison", "s", (d, _) =>
        {
            if (d.Message == 7 && !Volatile.Read(ref fixedHandler))
            {
                attemptsOfPoison.Enqueue(d.Attempt);
                throw new InvalidOperationException($"cannot price order {d.Message}");
            }
            processed.Enqueue(d.Message);
            return Task.CompletedTask;
        }, FastRetries);

        // act
        for (var i = 1; i <= 20; i++) await Node.Client.PublishAsync("poison", i);

        // assert: the other 19 are processed; 7 is in the store with its last error, and nowhere else
        await Eventually.HoldsAsync(() => processed.Count == 19, "the 19 good messages were processed");
        var page = await Eventually.HoldsAsync(() => Node.Client.ListDeadLettersAsync("poison", "s"),
            p => p.Total == 1, "the poison message reached the dead-letter store");
        var letter = Assert.Single(page.Letters);
        Assert.Equal(7, letter.Message.Sequence);
        Assert.Equal(3, letter.Attempts);
        Assert.Equal(DeadLetterReason.MaxDeliveryAttempts, letter.Reason);
        Assert.Contains("cannot price order 7", letter.LastError);
        Assert.True(letter.FirstFailure <= letter.LastFailure);
        Assert.Equal([1, 2, 3], attemptsOfPoison);
        var info = await Eventually.HoldsAsync(() => Node.Client.GetTopicInfoAsync("poison"),
            i => i.Subscriptions.Single().DeadLettering == 0, "the store confirmed the transfer");
        Assert.Equal(0, info.Subscriptions.Single().Pending);
        Assert.Equal(20, info.Subscriptions.Single().Watermark);
        Assert.DoesNotContain(7, processed);

        // act: fix the handler and redrive
        Volatile.Write(ref fixedHandler, true);
        var redriven = await Node.Client.RedriveDeadLettersAsync("poison", "s", [7]);

        // assert: processed once, the store is empty, nothing pending
        Assert.Equal(1, redriven.Redriven);
        Assert.Empty(redriven.NotFound);
        await Eventually.HoldsAsync(() => processed.Contains(7), "the redriven message was processed");
        await Eventually.HoldsAsync(() => Node.Client.GetTopicInfoAsync("poison"),
            i => i.Subscriptions.Single().Pending == 0, "the redriven message was acknowledged");
        Assert.Equal(0, (await Node.Client.ListDeadLettersAsync("poison", "s")).Total);
        Assert.Single(processed, m => m == 7);
        Assert.Equal(3, attemptsOfPoison.Count);
    }

    [Fact]
    public async Task Unprocessable_message_should_be_dead_lettered_at_once_without_retries()
    {
        // arrange
        var attempts = new ConcurrentQueue<int>();
        await using var sub = await Node.Client.SubscribeAsync<string>("reject", "s", (d, _) =>
        {
            attempts.Enqueue(d.Attempt);
            throw new UnprocessableMessageException("not a valid order: missing customer");
        }, FastRetries);

        // act
        await Node.Client.PublishAsync("reject", "bad");

        // assert
        var letter = await Eventually.HoldsAsync(() => Node.Client.GetDeadLetterAsync("reject", "s", 1),
            l => l is not null, "the message was dead-lettered");
        Assert.Equal(DeadLetterReason.Unprocessable, letter!.Reason);
        Assert.Equal(1, letter.Attempts);
        Assert.Contains("missing customer", letter.LastError);
        Assert.Equal([1], attempts);
    }

    [Fact]
    public async Task Purge_should_empty_the_store_for_good()
    {
        // arrange: three poison messages
        await using var sub = await Node.Client.SubscribeAsync<int>("purge", "s",
            (_, _) => throw new UnprocessableMessageException("never"), FastRetries);
        for (var i = 1; i <= 3; i++) await Node.Client.PublishAsync("purge", i);
        await Eventually.HoldsAsync(() => Node.Client.ListDeadLettersAsync("purge", "s"), p => p.Total == 3, "three dead letters");

        // act: purge one, then all
        var one = await Node.Client.PurgeDeadLettersAsync("purge", "s", [2, 99]);
        var rest = await Node.Client.PurgeDeadLettersAsync("purge", "s");

        // assert
        Assert.Equal(1, one.Purged);
        Assert.Equal([99L], one.NotFound.ToArray());
        Assert.Equal(2, rest.Purged);
        Assert.Equal(0, (await Node.Client.ListDeadLettersAsync("purge", "s")).Total);
        Assert.Null(await Node.Client.GetDeadLetterAsync("purge", "s", 1));
        var info = await Node.Client.GetTopicInfoAsync("purge");
        Assert.Equal(0, info.Subscriptions.Single().Pending);
    }

    [Fact]
    public async Task Dead_letters_should_page_in_sequence_order()
    {
        // arrange
        await using var sub = await Node.Client.SubscribeAsync<int>("pages", "s",
            (_, _) => throw new UnprocessableMessageException("never"), FastRetries);
        for (var i = 1; i <= 5; i++) await Node.Client.PublishAsync("pages", i);
        await Eventually.HoldsAsync(() => Node.Client.ListDeadLettersAsync("pages", "s"), p => p.Total == 5, "five dead letters");

        // act
        var first = await Node.Client.ListDeadLettersAsync("pages", "s", limit: 2);
        var second = await Node.Client.ListDeadLettersAsync("pages", "s", first.NextAfter!.Value, limit: 2);
        var third = await Node.Client.ListDeadLettersAsync("pages", "s", second.NextAfter!.Value, limit: 2);

        // assert
        Assert.Equal([1L, 2], first.Letters.Select(l => l.Message.Sequence));
        Assert.Equal([3L, 4], second.Letters.Select(l => l.Message.Sequence));
        Assert.Equal([5L], third.Letters.Select(l => l.Message.Sequence));
        Assert.Null(third.NextAfter);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Node.Client.ListDeadLettersAsync("pages", "s", limit: 0));
    }
}
