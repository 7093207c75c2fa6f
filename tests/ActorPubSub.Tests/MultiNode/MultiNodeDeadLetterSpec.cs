using System.Collections.Concurrent;
using ActorPubSub.Client;
using ActorPubSub.DeadLetters;
using ActorPubSub.Tests.Support;
using Xunit.Abstractions;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.MultiNode;

/// <summary>
/// Dead letters across a three-node cluster (loopback, shared SQLite journal): a consumer on one node declares
/// a message unprocessable; the letter is read and redriven from the other nodes.
/// </summary>
[Trait("Category", "MultiNode")]
public sealed class MultiNodeDeadLetterSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private PubSubCluster _cluster = null!;

    private IReadOnlyList<PubSubNode> Nodes => _cluster.Nodes;

    public async Task InitializeAsync() => _cluster = await PubSubCluster.StartAsync(3);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Unprocessable_message_should_be_dead_lettered_listed_from_another_node_and_redriven_once()
    {
        // arrange: the consumer runs on a node other than the topic's; message 5 of 10 is poison for its handler
        const string topic = "payments", subscription = "ledger";
        await Nodes[0].Client.CreateSubscriptionAsync(topic, subscription);
        var host = await _cluster.HostOfAsync(topic);
        var others = Nodes.Where(n => n != host).ToList();
        var (consumerNode, operatorNode) = (others[0], others[1]);
        output.WriteLine($"topic on {host.Address}, consumer on {consumerNode.Address}, operator on {operatorNode.Address}");

        var processed = new ConcurrentQueue<Delivery<int>>();
        var poisonAttempts = 0;
        var broken = await consumerNode.Client.SubscribeAsync<int>(topic, subscription, (d, _) =>
        {
            if (d.Message == 5)
            {
                Interlocked.Increment(ref poisonAttempts);
                throw new UnprocessableMessageException("amount is negative");
            }
            processed.Enqueue(d);
            return Task.CompletedTask;
        });

        // act
        for (var i = 1; i <= 10; i++) Assert.Equal(i, (await host.Client.PublishAsync(topic, i)).Sequence);

        // assert: the other nine are processed; 5 was tried once and is in the store, listed from the operator node
        await Eventually.HoldsAsync(() => processed.Select(d => d.Sequence).Distinct().Count() == 9, "the other nine messages were processed",
            TimeSpan.FromSeconds(30));
        var page = await Eventually.HoldsAsync(() => operatorNode.Client.ListDeadLettersAsync(topic, subscription),
            p => p.Total == 1, "message 5 is in the dead-letter store", TimeSpan.FromSeconds(30));
        var letter = Assert.Single(page.Letters);
        Assert.Equal(5, letter.Message.Sequence);
        Assert.Equal(DeadLetterReason.Unprocessable, letter.Reason);
        Assert.Equal(1, letter.Attempts);
        Assert.Contains("UnprocessableMessageException", letter.LastError);
        Assert.Contains("amount is negative", letter.LastError);
        Assert.Null(page.NextAfter);
        var got = await host.Client.GetDeadLetterAsync(topic, subscription, 5);
        Assert.NotNull(got);
        Assert.Equal((letter.Id, 5L, letter.Reason, letter.LastError), (got.Id, got.Message.Sequence, got.Reason, got.LastError));

        var settled = await Eventually.HoldsAsync(() => operatorNode.Client.GetTopicInfoAsync(topic),
            i => i.Subscriptions.Single() is { Watermark: 10, Pending: 0, DeadLettering: 0, InFlight: 0 },
            "the store confirmed the letter and everything else was acknowledged", TimeSpan.FromSeconds(30));
        Assert.Equal(10, settled.LastSequence);
        Assert.Equal(1, Volatile.Read(ref poisonAttempts));
        Assert.Equal(Enumerable.Range(1, 10).Where(i => i != 5).Select(i => (long)i), processed.Select(d => d.Sequence).Order());

        // act: the handler is fixed (a new consumer replaces the broken one); redrive from the third node
        await broken.DisposeAsync();
        var fixedLog = new DeliveryLog<int>();
        await using var fixedSub = await consumerNode.Client.SubscribeAsync<int>(topic, subscription, fixedLog.Recording);
        var redriven = await host.Client.RedriveDeadLettersAsync(topic, subscription);

        // assert: processed once, with its attempts reset; nothing pending; the store is empty
        Assert.Equal(1, redriven.Redriven);
        Assert.Empty(redriven.NotFound);
        await fixedLog.ReceivedAsync(1, TimeSpan.FromSeconds(30));
        var done = await Eventually.HoldsAsync(() => operatorNode.Client.GetTopicInfoAsync(topic),
            i => i.Subscriptions.Single() is { Watermark: 10, Pending: 0, DeadLettering: 0, InFlight: 0 },
            "the redriven message was acknowledged", TimeSpan.FromSeconds(30));
        var redelivery = Assert.Single(fixedLog.All);
        Assert.Equal((5L, 5, 1), (redelivery.Sequence, redelivery.Message, redelivery.Attempt));
        Assert.Equal(10, done.LastSequence);
        var empty = await operatorNode.Client.ListDeadLettersAsync(topic, subscription);
        Assert.Equal(0, empty.Total);
        Assert.Empty(empty.Letters);
        Assert.Null(await consumerNode.Client.GetDeadLetterAsync(topic, subscription, 5));
        Assert.Equal(1, Volatile.Read(ref poisonAttempts));
    }
}
