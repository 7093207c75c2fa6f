using System.Collections.Concurrent;
using ActorPubSub.Client;
using ActorPubSub.Tests.Support;
using Xunit.Abstractions;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.MultiNode;

/// <summary>
/// Three ActorSystems forming a real cluster over loopback in this process, sharing one SQLite journal
/// (one writer per topic at a time; multi-process clusters use PostgreSQL).
/// </summary>
[Trait("Category", "MultiNode")]
public sealed class ThreeNodeClusterSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private PubSubCluster _cluster = null!;

    private IReadOnlyList<PubSubNode> Nodes => _cluster.Nodes;

    public async Task InitializeAsync() => _cluster = await PubSubCluster.StartAsync(3);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Publishes_confirmed_before_and_during_a_graceful_stop_of_the_topic_node_should_all_be_delivered()
    {
        // arrange: find the node hosting the topic; publish from another, consume on the third
        await Nodes[0].Client.CreateSubscriptionAsync("orders", "shipping");
        var host = await _cluster.HostOfAsync("orders");
        var (publisher, consumer) = (Nodes.First(n => n != host), Nodes.Last(n => n != host));
        output.WriteLine($"topic on {host.Address}, publishing from {publisher.Address}, consuming on {consumer.Address}");

        var received = new ConcurrentBag<int>();
        await using var sub = await consumer.Client.SubscribeAsync<int>("orders", "shipping", (d, _) =>
        {
            received.Add(d.Message);
            return Task.CompletedTask;
        });

        // act: publish in the background (100 in flight at a time) before, during and after a graceful stop
        // of the topic's node, until 1,000 more were confirmed after the stop completed
        var confirmed = new ConcurrentBag<int>();
        var confirmedAfterStop = 0;
        var stopped = false;
        var publishing = Task.Run(async () =>
        {
            var next = 0;
            while (!Volatile.Read(ref stopped) || Volatile.Read(ref confirmedAfterStop) < 1000)
            {
                var batch = Enumerable.Range(next + 1, 100).ToList();
                next += 100;
                await Task.WhenAll(batch.Select(async i =>
                {
                    await publisher.Client.PublishAsync("orders", i);
                    confirmed.Add(i);
                    if (Volatile.Read(ref stopped)) Interlocked.Increment(ref confirmedAfterStop);
                }));
            }
            return next;
        });
        await Eventually.HoldsAsync(() => confirmed.Count >= 1000, "1,000 publishes were confirmed");
        var stopping = DateTime.UtcNow;
        var beforeStop = confirmed.Count;
        await host.StopAsync();
        Volatile.Write(ref stopped, true);
        output.WriteLine($"topic node stopped in {(DateTime.UtcNow - stopping).TotalSeconds:F1} s; " +
                         $"{beforeStop} publishes confirmed before, {confirmed.Count - beforeStop} during the stop");
        var count = await publishing.WaitAsync(TimeSpan.FromSeconds(90));

        // assert: every publish was confirmed and every confirmed publish reached the consumer (at least once)
        Assert.Equal(count, confirmed.Distinct().Count());
        await Eventually.HoldsAsync(() => received.Distinct().Count() == count,
            $"all {count} confirmed messages were delivered (got {received.Distinct().Count()})", TimeSpan.FromSeconds(60));
        var duplicates = received.Count - received.Distinct().Count();
        output.WriteLine($"{count} messages delivered {received.Count} times: {duplicates} duplicates");
        var moved = await publisher.Client.GetTopicInfoAsync("orders");
        Assert.NotEqual(host.Address.ToString(), moved.Node);
        Assert.Equal(count, moved.LastSequence);   // each publish stored once despite resends
    }

    [Fact]
    public async Task Largest_allowed_message_should_cross_nodes_both_ways()
    {
        // arrange: the topic lives on one node, the publisher and consumer on the others
        await Nodes[0].Client.CreateSubscriptionAsync("large", "s");
        var host = await _cluster.HostOfAsync("large");
        var others = Nodes.Where(n => n != host).ToList();
        var log = new DeliveryLog<byte[]>();
        await using var sub = await others[1].Client.SubscribeAsync<byte[]>("large", "s", log.Recording);
        var body = new byte[1024 * 1024];   // byte[] payloads carry no manifest: exactly max-message-size
        Random.Shared.NextBytes(body);

        // act
        var receipt = await others[0].Client.PublishAsync("large", body);

        // assert
        Assert.Equal(1, receipt.Sequence);
        await log.ReceivedAsync(1, TimeSpan.FromSeconds(30));
        Assert.Equal(body, log.All.Single().Message);
    }

    [Fact]
    public async Task In_flight_messages_of_a_consumer_whose_node_leaves_should_go_to_another_consumer()
    {
        // arrange: a consumer on a node other than the topic's holds 10 deliveries without acking;
        // the ack deadline is far away, so only its leaving can free them
        await Nodes[0].Client.CreateSubscriptionAsync("jobs", "workers", new SubscriptionOptions { AckDeadline = TimeSpan.FromMinutes(10) });
        var host = await _cluster.HostOfAsync("jobs");
        var others = Nodes.Where(n => n != host).ToList();
        var (leaving, staying) = (others[0], others[1]);
        var held = new ConcurrentBag<long>();
        await leaving.Client.SubscribeAsync<int>("jobs", "workers", async (d, ct) =>
        {
            held.Add(d.Sequence);
            await Task.Delay(Timeout.Infinite, ct);
        });
        for (var i = 1; i <= 10; i++) await Nodes[0].Client.PublishAsync("jobs", i);
        await Eventually.HoldsAsync(() => held.Count == 10, "the first consumer holds all 10 messages");
        var log = new DeliveryLog<int>();
        await using var second = await staying.Client.SubscribeAsync<int>("jobs", "workers", log.Recording);

        // act
        await leaving.StopAsync();

        // assert: redelivered to the other consumer long before the ack deadline, as attempt 2
        await log.ReceivedAsync(10, TimeSpan.FromSeconds(30));
        Assert.All(log.All, d => Assert.Equal(2, d.Attempt));
        await Eventually.HoldsAsync(() => staying.Client.GetTopicInfoAsync("jobs"),
            i => i.Subscriptions.Single().Watermark == 10, "all 10 were acknowledged");
    }

    [Fact]
    public async Task Attempt_count_should_continue_when_the_topic_moves_to_another_node()
    {
        // arrange: a consumer off the topic's node whose handler always fails; 1 s between attempts
        await Nodes[0].Client.CreateSubscriptionAsync("moving", "s", new SubscriptionOptions
        {
            MaxDeliveryAttempts = 5,
            Backoff = new ActorPubSub.RetryBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 1),
        });
        var host = await _cluster.HostOfAsync("moving");
        var consumer = Nodes.First(n => n != host);
        var attempts = new ConcurrentQueue<int>();
        await using var sub = await consumer.Client.SubscribeAsync<string>("moving", "s", (d, _) =>
        {
            attempts.Enqueue(d.Attempt);
            throw new InvalidOperationException($"attempt {d.Attempt} failed");
        });
        await consumer.Client.PublishAsync("moving", "x");
        await Eventually.HoldsAsync(() => attempts.Count >= 2, "two attempts failed");

        // act: the topic's node leaves; the topic recovers on another node
        await host.StopAsync();

        // assert: the count carries on to the dead letter; it never starts again at 1
        var letter = await Eventually.HoldsAsync(() => consumer.Client.GetDeadLetterAsync("moving", "s", 1),
            l => l is not null, "the message was dead-lettered after its 5th attempt", TimeSpan.FromSeconds(60));
        output.WriteLine($"attempts seen: {string.Join(", ", attempts)}");
        Assert.Equal(5, letter!.Attempts);
        Assert.Single(attempts, a => a == 1);
        Assert.Contains(5, attempts);
        // (an attempt in flight when the topic moved and not reported before is delivered again with its number)
        Assert.Equal(attempts.Order(), attempts);
    }

    [Fact]
    public async Task Ordered_subscription_should_keep_key_order_across_consumers_on_twoNodes()
    {
        // arrange: competing consumers of one ordered subscription on two nodes; handlers yield to overlap
        const int keys = 5, perKey = 60;
        var processed = new ConcurrentDictionary<int, ConcurrentQueue<int>>();
        var running = new ConcurrentDictionary<int, int>();
        var overlaps = 0;
        // "key,index" as a string: an int[] has no serializer binding (ActorPubSub refuses the type-name JSON fallback)
        async Task Handle(Delivery<string> d, CancellationToken ct)
        {
            var pair = d.Message.Split(',');
            var (key, index) = (int.Parse(pair[0]), int.Parse(pair[1]));
            if (running.AddOrUpdate(key, 1, (_, n) => n + 1) > 1) Interlocked.Increment(ref overlaps);
            await Task.Delay(1, ct);
            processed.GetOrAdd(key, _ => new ConcurrentQueue<int>()).Enqueue(index);
            running.AddOrUpdate(key, 0, (_, n) => n - 1);
        }
        var options = new SubscriptionOptions { OrderedByKey = true };
        await using var a = await Nodes[1].Client.SubscribeAsync<string>("ordered", "s", Handle, options);
        await using var b = await Nodes[2].Client.SubscribeAsync<string>("ordered", "s", Handle, options);

        // act
        var publishes = new List<Task>();
        for (var i = 0; i < perKey; i++)
            for (var k = 0; k < keys; k++)
                publishes.Add(Nodes[0].Client.PublishAsync("ordered", $"{k},{i}", new PublishOptions { Key = $"k{k}" }));
        await Task.WhenAll(publishes);

        // assert
        await Eventually.HoldsAsync(() => processed.Values.Sum(q => q.Count) >= keys * perKey, "every message was processed",
            TimeSpan.FromSeconds(60));
        Assert.Equal(0, overlaps);
        for (var k = 0; k < keys; k++) Assert.Equal(Enumerable.Range(0, perKey), processed[k]);
    }
}
