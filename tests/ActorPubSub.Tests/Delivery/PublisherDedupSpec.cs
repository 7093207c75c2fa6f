using System.Diagnostics;
using Akka.Actor;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Messages;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Delivery;

/// <summary>
/// Publisher message ids (PublishOptions.MessageId): a repeat within the dedup window is confirmed with the
/// original sequence and stored once, live and after a restart recovered from the journal or from a snapshot.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PublisherDedupSpec : RestartableNodeSpec
{
    private const int Repeats = 5;

    [Fact]
    public async Task Message_id_published_five_times_in_sequence_should_be_stored_and_delivered_once()
    {
        // arrange
        var log = new DeliveryLog<string>();
        await using var sub = await Node.Client.SubscribeAsync<string>("dedup-seq", "s", log.Recording);

        // act
        var receipts = await PublishInSequenceAsync("dedup-seq", "order-1");

        // assert: one sequence; the first stored, the repeats confirmed as duplicates
        Assert.All(receipts, r => Assert.Equal(1, r.Sequence));
        Assert.Equal([false, true, true, true, true], receipts.Select(r => r.Duplicate));
        Assert.Equal(1, (await Node.Client.GetTopicInfoAsync("dedup-seq")).LastSequence);
        await AssertDeliveredOnceThenMarkerAsync(log, "dedup-seq", expectedMarkerSequence: 2);
        Assert.Equal("copy 1", log.All.Single(d => d.Sequence == 1).Message);
    }

    [Fact]
    public async Task Message_id_published_five_times_concurrently_should_be_stored_and_delivered_once()
    {
        // arrange
        var log = new DeliveryLog<string>();
        await using var sub = await Node.Client.SubscribeAsync<string>("dedup-conc", "s", log.Recording);

        // act: all five in flight at once (they reach the topic together, while the first is still being written)
        var receipts = await PublishConcurrentlyAsync("dedup-conc", "order-1");

        // assert
        Assert.All(receipts, r => Assert.Equal(1, r.Sequence));
        Assert.Single(receipts, r => !r.Duplicate);
        Assert.Equal(Repeats - 1, receipts.Count(r => r.Duplicate));
        Assert.Equal(1, (await Node.Client.GetTopicInfoAsync("dedup-conc")).LastSequence);
        await AssertDeliveredOnceThenMarkerAsync(log, "dedup-conc", expectedMarkerSequence: 2);
    }

    [Fact]
    public async Task Message_id_sent_five_times_straight_to_the_topic_should_be_stored_once()
    {
        // arrange: five separate Publish messages (no producer id, so only the message id can dedup them); the
        // first starts a journal write at once, so the repeats arrive while it is written and then after it
        var probe = Kit.CreateTestProbe();
        await Node.Client.CreateSubscriptionAsync("dedup-protocol", "s");

        // act
        for (var i = 1; i <= Repeats; i++)
            Node.Region.Tell(new Publish("dedup-protocol", new Payload(4, "", [(byte)i]), MessageId: "order-1"), probe.Ref);

        // assert: five receipts (single or grouped per write), all for sequence 1, one of them the original
        var receipts = new List<PublishReceipt>();
        while (receipts.Count < Repeats)
        {
            var reply = await probe.ExpectMsgAsync<object>(TimeSpan.FromSeconds(20));
            receipts.AddRange(reply switch
            {
                PublishReceipt r => [r],
                PublishReceipts rs => rs.Receipts,
                _ => throw new Xunit.Sdk.XunitException($"Unexpected reply {reply}"),
            });
        }
        Assert.All(receipts, r => Assert.Equal(1, r.Sequence));
        Assert.Single(receipts, r => !r.Duplicate);
        var info = await Node.Client.GetTopicInfoAsync("dedup-protocol");
        Assert.Equal((1L, 1L), (info.LastSequence, info.Subscriptions.Single().Pending));
    }

    [Fact]
    public async Task Different_message_id_should_be_stored_as_a_new_message()
    {
        // arrange
        var first = await Node.Client.PublishAsync("dedup-other", "a", new PublishOptions { MessageId = "id-a" });

        // act
        var second = await Node.Client.PublishAsync("dedup-other", "b", new PublishOptions { MessageId = "id-b" });
        var withoutId = await Node.Client.PublishAsync("dedup-other", "c");

        // assert
        Assert.Equal((1L, false), (first.Sequence, first.Duplicate));
        Assert.Equal((2L, false), (second.Sequence, second.Duplicate));
        Assert.Equal((3L, false), (withoutId.Sequence, withoutId.Duplicate));
        Assert.Equal(3, (await Node.Client.GetTopicInfoAsync("dedup-other")).LastSequence);
    }

    [Fact]
    public async Task Message_id_should_stay_deduplicated_after_a_restart_recovered_from_the_journal()
    {
        // arrange: the message is stored, delivered and acknowledged; no snapshot is taken (default threshold 1 MiB)
        const string topic = "dedup-journal";
        await PublishAndConsumeOnceAsync(topic);
        Assert.Equal(0, await QueryAsync($"SELECT COUNT(*) FROM snapshot WHERE persistence_id = 'topic:{topic}'"));

        // act
        await RestartNodeAsync();

        // assert
        await AssertStillDeduplicatedAsync(topic);
    }

    [Fact]
    public async Task Message_id_should_stay_deduplicated_after_a_restart_recovered_from_a_snapshot()
    {
        // arrange: every write is followed by a snapshot, and the journal below a snapshot is deleted
        const string topic = "dedup-snapshot";
        await RestartNodeAsync(new PubSubOptions { ExtraHocon = "actorpubsub.topic.min-snapshot-bytes = 1b" });
        await PublishAndConsumeOnceAsync(topic);
        // The message's write is at or below the journal's highest event now; once a snapshot covers that and
        // the journal below it is deleted, the id can only be recovered from the snapshot.
        var written = await QueryAsync($"SELECT MAX(sequence_number) FROM journal WHERE persistence_id = 'topic:{topic}'");
        await Eventually.HoldsAsync(
            () => QueryAsync($"SELECT MAX(sequence_number) FROM snapshot WHERE persistence_id = 'topic:{topic}'"),
            snapshotAt => snapshotAt >= written, $"a snapshot covers journal event {written}");
        await Eventually.HoldsAsync(
            () => QueryAsync($"SELECT COUNT(*) FROM journal WHERE persistence_id = 'topic:{topic}' AND sequence_number <= {written} AND deleted = 0"),
            rows => rows == 0, "the journal holding the message was deleted below the snapshot");

        // act
        await RestartNodeAsync();

        // assert
        await AssertStillDeduplicatedAsync(topic);
    }

    [Fact]
    public async Task Message_id_outside_the_dedup_window_should_be_stored_again()
    {
        // arrange: a 1 s window
        var window = TimeSpan.FromSeconds(1);
        await RestartNodeAsync(new PubSubOptions { ExtraHocon = "actorpubsub.topic.dedup-window = 1s" });
        var log = new DeliveryLog<string>();
        await using var sub = await Node.Client.SubscribeAsync<string>("dedup-window", "s", log.Recording);
        var sinceFirst = Stopwatch.StartNew();
        var first = await Node.Client.PublishAsync("dedup-window", "first", new PublishOptions { MessageId = "order-1" });
        Assert.Equal((1L, false), (first.Sequence, first.Duplicate));

        // act: repeat the id until the topic stores it again; every repeat until then is the original
        var repeats = new List<PublishReceipt>();
        var stored = await Eventually.HoldsAsync(async () =>
            {
                var r = await Node.Client.PublishAsync("dedup-window", "again", new PublishOptions { MessageId = "order-1" });
                repeats.Add(r);
                return r;
            },
            r => !r.Duplicate, "a repeat of the id was stored again", TimeSpan.FromSeconds(30));

        // assert: stored as a new message, and not before the window had passed
        Assert.True(sinceFirst.Elapsed >= window, $"the id was forgotten after {sinceFirst.Elapsed}, within its {window} window");
        Assert.Equal(2, stored.Sequence);
        Assert.All(repeats.SkipLast(1), r => Assert.Equal((1L, true), (r.Sequence, r.Duplicate)));
        Assert.Equal(2, (await Node.Client.GetTopicInfoAsync("dedup-window")).LastSequence);
        await log.ReceivedAsync(2);
        Assert.Equal([(1L, "first"), (2L, "again")], log.All.Select(d => (d.Sequence, d.Message)).Order());
        Assert.All(log.All, d => Assert.Equal("order-1", d.MessageId));
    }

    private async Task<PublishReceipt[]> PublishInSequenceAsync(string topic, string messageId)
    {
        var receipts = new List<PublishReceipt>();
        for (var i = 1; i <= Repeats; i++)
            receipts.Add(await Node.Client.PublishAsync(topic, $"copy {i}", new PublishOptions { MessageId = messageId }));
        return [.. receipts];
    }

    private Task<PublishReceipt[]> PublishConcurrentlyAsync(string topic, string messageId) =>
        Task.WhenAll(Enumerable.Range(1, Repeats).Select(i =>
            Node.Client.PublishAsync(topic, $"copy {i}", new PublishOptions { MessageId = messageId })));

    /// <summary>
    /// Message 1 was delivered once; a message with another id is stored after it and delivered, and by then
    /// message 1 has still been delivered only once.
    /// </summary>
    private async Task AssertDeliveredOnceThenMarkerAsync(DeliveryLog<string> log, string topic, long expectedMarkerSequence)
    {
        await log.ReceivedAsync(1);
        var marker = await Node.Client.PublishAsync(topic, "marker", new PublishOptions { MessageId = "marker" });
        Assert.Equal((expectedMarkerSequence, false), (marker.Sequence, marker.Duplicate));
        await Eventually.HoldsAsync(() => log.Sequences.Contains(expectedMarkerSequence), "the marker was delivered");
        await Eventually.HoldsAsync(() => Node.Client.GetTopicInfoAsync(topic),
            i => i.Subscriptions.Single().Watermark == expectedMarkerSequence, "everything was acknowledged");
        Assert.Single(log.All, d => d.Sequence == 1);
        Assert.Equal(1, log.All.Single(d => d.Sequence == 1).Attempt);
    }

    /// <summary>Stores message 1 with id "order-1" (published five times), and has it delivered and acknowledged.</summary>
    private async Task PublishAndConsumeOnceAsync(string topic)
    {
        var log = new DeliveryLog<string>();
        await using var sub = await Node.Client.SubscribeAsync<string>(topic, "s", log.Recording);
        var receipts = await PublishInSequenceAsync(topic, "order-1");
        Assert.All(receipts, r => Assert.Equal(1, r.Sequence));
        await log.ReceivedAsync(1);
        await Eventually.HoldsAsync(() => Node.Client.GetTopicInfoAsync(topic),
            i => i.Subscriptions.Single().Watermark == 1, "message 1 was acknowledged");
    }

    /// <summary>
    /// On the restarted node: repeats of "order-1", one by one and at once, are all duplicates of message 1;
    /// nothing new is stored or delivered; a new id is stored as message 2 and is the only delivery.
    /// </summary>
    private async Task AssertStillDeduplicatedAsync(string topic)
    {
        var inSequence = await PublishInSequenceAsync(topic, "order-1");
        var concurrent = await PublishConcurrentlyAsync(topic, "order-1");

        Assert.All(inSequence.Concat(concurrent), r => Assert.Equal((1L, true), (r.Sequence, r.Duplicate)));
        var info = await Node.Client.GetTopicInfoAsync(topic);
        Assert.Equal(1, info.LastSequence);
        Assert.Equal(0, info.Subscriptions.Single().Pending);

        var log = new DeliveryLog<string>();
        await using var sub = await Node.Client.SubscribeAsync<string>(topic, "s", log.Recording);
        var fresh = await Node.Client.PublishAsync(topic, "new", new PublishOptions { MessageId = "order-2" });
        Assert.Equal((2L, false), (fresh.Sequence, fresh.Duplicate));
        await log.ReceivedAsync(1);
        await Eventually.HoldsAsync(() => Node.Client.GetTopicInfoAsync(topic),
            i => i.Subscriptions.Single().Watermark == 2, "message 2 was acknowledged");
        Assert.Equal([2L], log.All.Select(d => d.Sequence));
    }
}
