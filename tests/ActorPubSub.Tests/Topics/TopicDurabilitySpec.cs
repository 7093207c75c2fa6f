using System.Collections.Concurrent;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using Microsoft.Data.Sqlite;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Topics;

/// <summary>What a topic keeps across a restart of its ActorSystem on the same SQLite file.</summary>
[Trait("Category", "Integration")]
public sealed class TopicDurabilitySpec : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Restarted_node_should_deliver_every_unacked_message_and_no_acked_one()
    {
        // arrange: 1,000 confirmed messages; a consumer acks 1..300 and holds the rest without acking
        const int count = 1000, acked = 300;
        var options = new PubSubOptions { SqliteFile = _db.File };
        await using (var first = await PubSubNode.StartAsync(options))
        {
            await first.Client.CreateSubscriptionAsync("durable", "s");
            var receipts = await Task.WhenAll(Enumerable.Range(1, count).Select(i => first.Client.PublishAsync("durable", i)));
            Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i).ToHashSet(), receipts.Select(r => r.Sequence).ToHashSet());

            await using var sub = await first.Client.SubscribeAsync<int>("durable", "s", (d, ct) =>
                d.Sequence <= acked ? Task.CompletedTask : Task.Delay(Timeout.Infinite, ct));
            await Eventually.HoldsAsync(() => first.Client.GetTopicInfoAsync("durable"),
                i => i.Subscriptions.Single().Watermark == acked, $"messages 1..{acked} were acknowledged");

            // act: graceful stop (shards hand off, the topic flushes its pending acks)
            await first.StopAsync();
        }

        // assert: a new node on the same file delivers exactly the unacknowledged messages
        await using var second = await PubSubNode.StartAsync(options);
        var info = await second.Client.GetTopicInfoAsync("durable");
        Assert.Equal(count, info.LastSequence);
        Assert.Equal(acked, info.Subscriptions.Single().Watermark);
        var log = new DeliveryLog<int>();
        await using var resumed = await second.Client.SubscribeAsync<int>("durable", "s", log.Recording);
        await log.ReceivedAsync(count - acked);
        Assert.Equal(Enumerable.Range(acked + 1, count - acked).Select(i => (long)i).ToHashSet(), log.Sequences);
        Assert.Equal(log.All.Select(d => (long)d.Message), log.All.Select(d => d.Sequence));

        // and publishing continues after the recovered sequence
        Assert.Equal(count + 1, (await second.Client.PublishAsync("durable", count + 1)).Sequence);
    }

    [Fact]
    public async Task Snapshots_should_bound_the_journal_and_recover_the_same_state()
    {
        // arrange: tiny snapshot threshold, so snapshots are taken and the journal below them deleted
        var options = new PubSubOptions
        {
            SqliteFile = _db.File,
            ExtraHocon = "actorpubsub.topic.min-snapshot-bytes = 2 KiB",
        };
        const int count = 600;
        await using (var first = await PubSubNode.StartAsync(options))
        {
            await first.Client.CreateSubscriptionAsync("snap", "a");
            await first.Client.CreateSubscriptionAsync("snap", "b");
            // one at a time: 600 separate journal events (no group commit), so the journal would grow without snapshots
            for (var i = 1; i <= count; i++) await first.Client.PublishAsync("snap", i);
            var log = new DeliveryLog<int>();
            await using var all = await first.Client.SubscribeAsync<int>("snap", "b", new DeliveryLog<int>().Recording);
            await using (var sub = await first.Client.SubscribeAsync<int>("snap", "a", (d, _) =>
                         {
                             log.Add(d);
                             return d.Sequence % 2 == 0 ? Task.CompletedTask : Task.Delay(Timeout.Infinite, _);
                         }, null, new ConsumerOptions { MaxInFlight = count }))
            {
                await Eventually.HoldsAsync(() => first.Client.GetTopicInfoAsync("snap"),
                    i => i.Subscriptions.Single(s => s.Name == "a").Pending == count / 2 && i.Subscriptions.Single(s => s.Name == "b").Pending == 0,
                    "'a' acknowledged every even message and 'b' every message");
            }
            // Snapshots hold state, not message bodies: the journal is the log, so the events of the 300 odd messages
            // 'a' still needs stay, and the snapshots are taken all the same.
            await Eventually.HoldsAsync(() => CountAsync("SELECT COUNT(*) FROM snapshot WHERE persistence_id = 'topic:snap'"),
                rows => rows >= 1, "a snapshot was taken");
            await first.StopAsync();
        }

        // assert: same state after recovery from snapshot + journal tail
        await using var second = await PubSubNode.StartAsync(options);
        var info = await second.Client.GetTopicInfoAsync("snap");
        Assert.Equal(count, info.LastSequence);
        var a = info.Subscriptions.Single(s => s.Name == "a");
        var b = info.Subscriptions.Single(s => s.Name == "b");
        Assert.Equal((0L, (long)count / 2), (a.Watermark, a.Pending));
        Assert.Equal(((long)count, 0L), (b.Watermark, b.Pending));
        var redelivered = new ConcurrentBag<long>();
        await using var resumed = await second.Client.SubscribeAsync<int>("snap", "a", (d, _) =>
        {
            redelivered.Add(d.Sequence);
            return Task.CompletedTask;
        });
        await Eventually.HoldsAsync(() => redelivered.Count >= count / 2, "the odd messages were delivered again");
        Assert.All(redelivered, s => Assert.Equal(1, s % 2));

        // assert: once every subscription acknowledged everything, a snapshot lets the journal go (far fewer rows than
        // the 600+ events written; how many remain depends on how acks batched: up to about one snapshot's worth)
        await Eventually.HoldsAsync(() => CountAsync("SELECT COUNT(*) FROM journal WHERE persistence_id = 'topic:snap'"),
            rows => rows < count / 2, "the journal was cut back once nothing was retained");
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_db.File}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
