using System.Collections.Concurrent;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Messages;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;

namespace ActorPubSub.Tests.Serialization;

/// <summary>
/// A node upgraded in place: it starts on Fixtures/legacy.db, a journal and snapshot store written by the binary
/// serializers before protobuf (see Fixtures/README.md), and recovers the topic and the dead-letter store from it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class LegacyJournalSpec : IAsyncLifetime
{
    private const string Topic = "orders";
    private readonly TempDatabase _db = new();
    private PubSubNode _node = null!;

    public async Task InitializeAsync()
    {
        // a copy: recovery writes (new events, snapshots), and the fixture must stay as the old format wrote it
        File.Copy(LegacySamples.FixturePath("legacy.db"), _db.File);
        _node = await PubSubNode.StartAsync(new PubSubOptions { SqliteFile = _db.File });
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _db.Dispose();
    }

    [Fact]
    public async Task Topic_should_recover_from_a_journal_and_snapshot_of_the_legacy_format()
    {
        // act
        var info = await Eventually.HoldsAsync(() => _node.Client.GetTopicInfoAsync(Topic),
            i => i.Subscriptions.Any(s => s is { Name: "billing", DeadLetters: not null }), "the store reported its count");

        // assert: the snapshot (subscriptions, letters transferred before it) and the events after it
        Assert.True(info.Exists);
        Assert.Equal(8, info.LastSequence);
        Assert.Equal(new TopicRetention(TimeSpan.FromHours(1), 100), info.Retention);
        Assert.Equal(["audit", "billing"], info.Subscriptions.Select(s => s.Name).Order());
        var audit = info.Subscriptions.Single(s => s.Name == "audit");
        Assert.Equal((5L, 3L, TimeSpan.FromSeconds(30), 10, false, (string?)null, 0),
            (audit.Watermark, audit.Pending, audit.AckDeadline, audit.MaxDeliveryAttempts, audit.OrderedByKey, audit.Filter, audit.DeadLettering));
        var billing = info.Subscriptions.Single(s => s.Name == "billing");
        Assert.Equal((8L, 0L, TimeSpan.FromSeconds(20), 2, true, "region = \"eu\"", 0, 2),
            (billing.Watermark, billing.Pending, billing.AckDeadline, billing.MaxDeliveryAttempts, billing.OrderedByKey, billing.Filter,
                billing.DeadLettering, billing.DeadLetters!.Value));
    }

    [Fact]
    public async Task Topic_should_deliver_what_the_legacy_journal_left_unacknowledged()
    {
        // arrange
        var received = new ConcurrentQueue<Delivery<string>>();

        // act
        await using var audit = await _node.Client.SubscribeAsync<string>(Topic, "audit", (d, _) =>
        {
            received.Enqueue(d);
            return Task.CompletedTask;
        });

        // assert: messages 6, 7 and 8 with what they were published with, then nothing pending
        await Eventually.HoldsAsync(() => received.Count >= 3, "the three unacknowledged messages arrived");
        var deliveries = received.OrderBy(d => d.Sequence).ToList();
        Assert.Equal([6L, 7L, 8L], deliveries.Select(d => d.Sequence));
        Assert.Equal(["poison-6", "order-7", "order-8"], deliveries.Select(d => d.Message));
        Assert.Equal(["k1", "k2", "k3"], deliveries.Select(d => d.Key));
        Assert.Equal(["msg-6", "msg-7", "msg-8"], deliveries.Select(d => d.MessageId));
        Assert.Equal(["eu", "eu", "us"], deliveries.Select(d => d.Headers!["region"]));
        Assert.All(deliveries, d => Assert.Equal(DateTimeKind.Utc, d.Timestamp.Kind));
        await Eventually.HoldsAsync(() => _node.Client.GetTopicInfoAsync(Topic),
            i => i.Subscriptions.Single(s => s.Name == "audit").Pending == 0, "audit acknowledged them");

        // and the log goes on where it stopped
        var receipt = await _node.Client.PublishAsync(Topic, "order-9");
        Assert.Equal(9, receipt.Sequence);
    }

    [Fact]
    public async Task Dead_letter_store_should_recover_its_letters_from_the_legacy_format()
    {
        // act
        var page = await _node.Client.ListDeadLettersAsync(Topic, "billing");

        // assert: letter 1 (message 2) was redriven after the snapshot; letters 2 and 3 remain
        Assert.Equal(2, page.Total);
        Assert.Equal([(2L, 3L, DeadLetterReason.Unprocessable, 1), (3L, 6L, DeadLetterReason.MaxDeliveryAttempts, 2)],
            page.Letters.Select(l => (l.Id, l.Message.Sequence, l.Reason, l.Attempts)));
        Assert.Contains("not an order: reject-3", page.Letters[0].LastError);
        Assert.Contains("cannot price poison-6", page.Letters[1].LastError);
        Assert.Equal("k1", page.Letters[1].Message.Key);
        Assert.Equal("eu", page.Letters[1].Message.Headers!["region"]);
        Assert.Null(await _node.Client.GetDeadLetterAsync(Topic, "billing", 2));
    }
}
