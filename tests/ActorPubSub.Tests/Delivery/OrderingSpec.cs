using System.Collections.Concurrent;
using ActorPubSub.Client;
using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Tests.Support;
using ActorPubSub.Messages;
using ActorPubSub.Topics;

namespace ActorPubSub.Tests.Delivery;

/// <summary>Subscriptions ordered by key: one message of a key at a time, in publish order, also across retries.</summary>
[Trait("Category", "Integration")]
public sealed class OrderingSpec : NodeSpec
{
    // Published as a string "key|index": an unbound record has no serializer (ActorPubSub refuses the type-name JSON fallback).
    private sealed record Order(string Key, int Index)
    {
        public override string ToString() => $"{Key}|{Index}";

        public static Order Parse(string text) => new(text[..text.LastIndexOf('|')], int.Parse(text[(text.LastIndexOf('|') + 1)..]));
    }

    private static readonly RetryBackoff QuickBackoff = new(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(40), 2);

    [Fact]
    public async Task Each_keys_messages_should_be_processed_one_at_a_time_in_publish_order_despite_random_failures()
    {
        // arrange: 10 keys x 200 messages; a tenth of the attempts fail at random
        const int keys = 10, perKey = 200;
        var random = new Random(4711);
        var processed = new ConcurrentDictionary<string, ConcurrentQueue<int>>();
        var running = new ConcurrentDictionary<string, int>();
        var overlaps = 0;
        var failures = 0;
        await using var sub = await Node.Client.SubscribeAsync<string>("ordered", "s", async (d, _) =>
        {
            if (running.AddOrUpdate(d.Key!, 1, (_, n) => n + 1) > 1) Interlocked.Increment(ref overlaps);
            try
            {
                await Task.Yield();   // let other deliveries of the batch run meanwhile
                bool fail;
                lock (random) fail = random.NextDouble() < 0.1;
                if (fail)
                {
                    Interlocked.Increment(ref failures);
                    throw new InvalidOperationException("random failure");
                }
                processed.GetOrAdd(d.Key!, _ => new ConcurrentQueue<int>()).Enqueue(Order.Parse(d.Message).Index);
            }
            finally
            {
                running.AddOrUpdate(d.Key!, 0, (_, n) => n - 1);
            }
        }, new SubscriptionOptions { OrderedByKey = true, MaxDeliveryAttempts = 1000, Backoff = QuickBackoff },
            new ConsumerOptions { MaxInFlight = 64 });

        // act: keys interleaved, as independent producers would publish them
        var publishes = new List<Task>();
        for (var i = 0; i < perKey; i++)
            for (var k = 0; k < keys; k++)
                publishes.Add(Node.Client.PublishAsync("ordered", new Order($"key-{k}", i).ToString(), new PublishOptions { Key = $"key-{k}" }));
        await Task.WhenAll(publishes);

        // assert
        await Eventually.HoldsAsync(() => processed.Values.Sum(q => q.Count) >= keys * perKey,
            $"all {keys * perKey} messages were processed", TimeSpan.FromSeconds(60));
        Assert.True(failures > 0, "the handler never failed: the test did not exercise retries");
        Assert.Equal(0, overlaps);
        for (var k = 0; k < keys; k++)
            Assert.Equal(Enumerable.Range(0, perKey), processed[$"key-{k}"]);
    }

    [Fact]
    public async Task A_failing_key_should_hold_back_only_its_own_later_messages()
    {
        // arrange: the first message of "stuck" fails until released; other keys flow
        var release = false;
        var processed = new ConcurrentQueue<Order>();
        await using var sub = await Node.Client.SubscribeAsync<string>("held", "s", (d, _) =>
        {
            var order = Order.Parse(d.Message);
            if (d.Key == "stuck" && order.Index == 0 && !Volatile.Read(ref release))
                throw new InvalidOperationException("downstream of stuck is down");
            processed.Enqueue(order);
            return Task.CompletedTask;
        }, new SubscriptionOptions { OrderedByKey = true, MaxDeliveryAttempts = 1000, Backoff = QuickBackoff });

        // act
        for (var i = 0; i < 20; i++)
            foreach (var key in new[] { "stuck", "a", "b" })
                await Node.Client.PublishAsync("held", new Order(key, i).ToString(), new PublishOptions { Key = key });
        await Node.Client.PublishAsync("held", new Order("", -1).ToString());   // no key: never held back

        // assert: a and b (and the keyless one) are done while nothing of "stuck" is
        await Eventually.HoldsAsync(() => processed.Count(o => o.Key is "a" or "b" or "") == 41, "keys a and b were processed");
        Assert.DoesNotContain(processed, o => o.Key == "stuck");

        // act: release stuck
        Volatile.Write(ref release, true);

        // assert: stuck drains, in order
        await Eventually.HoldsAsync(() => processed.Count(o => o.Key == "stuck") == 20, "key stuck was processed");
        Assert.Equal(Enumerable.Range(0, 20), processed.Where(o => o.Key == "stuck").Select(o => o.Index));
    }

    [Fact]
    public async Task Dead_lettering_the_head_of_a_key_should_let_its_next_message_go()
    {
        // arrange
        var processed = new ConcurrentQueue<int>();
        await using var sub = await Node.Client.SubscribeAsync<int>("head", "s", (d, _) =>
        {
            if (d.Message == 1) throw new UnprocessableMessageException("poison head");
            processed.Enqueue(d.Message);
            return Task.CompletedTask;
        }, new SubscriptionOptions { OrderedByKey = true, Backoff = QuickBackoff });

        // act
        for (var i = 1; i <= 3; i++) await Node.Client.PublishAsync("head", i, new PublishOptions { Key = "k" });

        // assert
        await Eventually.HoldsAsync(() => processed.Count == 2, "the messages after the poison head were processed");
        Assert.Equal([2, 3], processed);
        // The key moves on once the dead-lettering is in the topic's journal; the topic's outbox then hands the letter to
        // the dead-letter store and resends until the store confirms, so the store shows it a moment later.
        var letter = await Eventually.HoldsAsync(() => Node.Client.GetDeadLetterAsync("head", "s", 1), l => l is not null,
            "the dead-letter store holds the poison head");
        Assert.NotNull(letter);
    }

    [Fact]
    public async Task Without_ordering_a_failing_message_should_not_hold_back_its_key()
    {
        // arrange
        var release = false;
        var processed = new ConcurrentQueue<int>();
        await using var sub = await Node.Client.SubscribeAsync<int>("parallel", "s", (d, _) =>
        {
            if (d.Message == 1 && !Volatile.Read(ref release)) throw new InvalidOperationException("not yet");
            processed.Enqueue(d.Message);
            return Task.CompletedTask;
        }, new SubscriptionOptions { MaxDeliveryAttempts = 1000, Backoff = QuickBackoff });

        // act
        for (var i = 1; i <= 5; i++) await Node.Client.PublishAsync("parallel", i, new PublishOptions { Key = "k" });

        // assert
        await Eventually.HoldsAsync(() => processed.Count == 4, "messages 2-5 were processed while 1 kept failing");
        Assert.DoesNotContain(1, processed);
        Volatile.Write(ref release, true);
        await Eventually.HoldsAsync(() => processed.Contains(1), "message 1 was processed once released");
    }
}
