using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Memory;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Log;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace ActorPubSub.Tests.Topics;

/// <summary>
/// The journal is the log: a backlog larger than memory is read back from disk, the node stays within its memory
/// budget, recovery reads a snapshot and a short tail, and the limits refuse or drop exactly as set.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TopicBacklogSpec(ITestOutputHelper output) : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    private PubSubOptions Options(string hocon) => new() { SqliteFile = _db.File, ExtraHocon = hocon };

    [Fact]
    public async Task Backlog_behind_the_window_should_be_read_back_and_delivered_once_in_key_order()
    {
        // arrange: a 64 KiB window in 16 KiB pages, and a backlog of 3,000 × 512 B (1.5 MiB) in 10 keys
        const int count = 3000;
        await using var node = await PubSubNode.StartAsync(Options(
            "actorpubsub.topic.log { page-bytes = 16 KiB, window-bytes = 64 KiB }"));
        await node.Client.CreateSubscriptionAsync("backlog", "ordered", new SubscriptionOptions { OrderedByKey = true });
        await node.Client.CreateSubscriptionAsync("backlog", "plain");
        await PublishAsync(node.Client, "backlog", count, size: 512, key: i => $"k{i % 10}");

        // act: the consumers start after the backlog left the window
        var ordered = new ConcurrentQueue<(string Key, long Sequence)>();
        var plain = new DeliveryLog<byte[]>();
        await using var a = await node.Client.SubscribeAsync<byte[]>("backlog", "ordered", (d, _) =>
        {
            ordered.Enqueue((d.Key!, d.Sequence));
            return Task.CompletedTask;
        });
        await using var b = await node.Client.SubscribeAsync("backlog", "plain", plain.Recording);
        await plain.ReceivedAsync(count);
        await Eventually.HoldsAsync(() => ordered.Count >= count, $"the ordered subscription received {count} (got {ordered.Count})");

        // assert: every message once, each key in publish order, and the whole topic's memory within its window
        Assert.Equal(count, plain.Count);
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), ordered.Select(o => o.Sequence).Order());
        foreach (var key in ordered.GroupBy(o => o.Key))
            Assert.Equal(key.Select(o => o.Sequence).Order(), key.Select(o => o.Sequence));
        var info = await node.Client.GetTopicInfoAsync("backlog");
        Assert.All(info.Subscriptions, s => Assert.Equal(0, s.Pending));
        Assert.InRange(NodeMemory.For(node.System).Used, 0, 64 * 1024 + PageCost(16 * 1024, 512));
    }

    [Fact]
    public async Task Node_should_stay_within_its_memory_budget_with_ten_times_the_budget_in_backlog()
    {
        // arrange: a 1 MiB budget, 3 topics with 3,500 × 1 KiB each (10× the budget) for subscriptions without consumers
        const int topics = 3, count = 3500, size = 1024;
        const long budget = 1024 * 1024, page = 16 * 1024, batch = 64 * 1024;
        await using var node = await PubSubNode.StartAsync(Options($$"""
            actorpubsub.memory-budget = {{budget}}b
            actorpubsub.topic { max-message-size = 64 KiB, max-write-batch-bytes = {{batch}}b, log.page-bytes = {{page}}b }
            """));
        var names = Enumerable.Range(1, topics).Select(t => $"budget-{t}").ToArray();
        foreach (var topic in names) await node.Client.CreateSubscriptionAsync(topic, "s");
        var memory = NodeMemory.For(node.System);
        using var sampler = new PeakSampler(() => memory.Used);

        // act: publish everything, then drain every topic
        await Task.WhenAll(names.Select(topic => PublishAsync(node.Client, topic, count, size)));
        var logs = names.ToDictionary(t => t, _ => new DeliveryLog<byte[]>());
        var subscriptions = new List<ISubscription>();
        foreach (var topic in names) subscriptions.Add(await node.Client.SubscribeAsync(topic, "s", logs[topic].Recording));
        foreach (var log in logs.Values) await log.ReceivedAsync(count, TimeSpan.FromMinutes(2));
        foreach (var s in subscriptions) await s.DisposeAsync();

        // assert: every message delivered, and the windows and pages never held more than the budget plus the slack
        // each topic is allowed (the page it reads back, and one write batch arriving before it sheds older messages)
        Assert.All(logs.Values, log => Assert.Equal(count, log.Sequences.Count));
        var peak = sampler.Stop();
        var bound = budget + topics * (PageCost(page, size) + PageCost(batch, size));
        output.WriteLine($"backlog {topics * count * (long)size / 1024} KiB, budget {budget / 1024} KiB, peak held {peak / 1024} KiB (bound {bound / 1024} KiB)");
        Assert.InRange(peak, 1, bound);
    }

    [Fact]
    public async Task Topic_with_a_million_message_backlog_should_recover_from_a_small_snapshot_and_a_short_tail()
    {
        // arrange: 1,000,000 confirmed messages nobody consumed, and an empty topic beside it
        const int count = 1_000_000;
        var options = Options("");
        long lastSequence;
        await using (var first = await PubSubNode.StartAsync(options))
        {
            await first.Client.CreateSubscriptionAsync("million", "s");
            await first.Client.CreateSubscriptionAsync("empty", "s");
            await PublishAsync(first.Client, "million", count, size: 16, inFlight: 5000);
            lastSequence = (await first.Client.GetTopicInfoAsync("million")).LastSequence;
            await first.StopAsync();
        }
        Assert.Equal(count, lastSequence);

        // assert: recovery reads one snapshot without message bodies and the journal written after it
        var snapshotBytes = await ScalarAsync("SELECT MAX(LENGTH(snapshot)) FROM snapshot WHERE persistence_id = 'topic:million'");
        var tail = await ScalarAsync("""
            SELECT COUNT(*) FROM journal WHERE persistence_id = 'topic:million' AND deleted = 0 AND sequence_number >
              (SELECT COALESCE(MAX(sequence_number), 0) FROM snapshot WHERE persistence_id = 'topic:million')
            """);
        var rows = await ScalarAsync("SELECT COUNT(*) FROM journal WHERE persistence_id = 'topic:million'");
        output.WriteLine($"journal rows {rows}, snapshot {snapshotBytes} bytes, tail {tail} rows");
        Assert.InRange(snapshotBytes, 1, 64 * 1024);
        Assert.InRange(tail, 0, 200);
        Assert.True(rows > 10 * tail, $"the backlog is in the journal ({rows} rows), beyond the tail ({tail})");

        // act: recover both topics on a new node
        await using var second = await PubSubNode.StartAsync(options);
        var clock = Stopwatch.StartNew();
        var empty = await second.Client.GetTopicInfoAsync("empty");
        var emptyMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var million = await second.Client.GetTopicInfoAsync("million");
        var millionMs = clock.Elapsed.TotalMilliseconds;
        output.WriteLine($"recovery: empty topic {emptyMs:F0} ms, 1,000,000-message backlog {millionMs:F0} ms");

        // assert: the backlog is all there and delivered from its start
        Assert.Equal(0, empty.LastSequence);
        Assert.Equal((count, 1L, (long)count), (million.LastSequence, million.FirstRetained, million.Subscriptions.Single().Pending));
        var log = new DeliveryLog<byte[]>();
        await using (await second.Client.SubscribeAsync("million", "s", log.Recording, null, new ConsumerOptions { MaxInFlight = 100 }))
            await log.ReceivedAsync(1000);
        Assert.Contains(1L, log.Sequences);
    }

    [Theory]
    [InlineData("8 KiB")]    // snapshots cover the hole: it is found when the range is read back
    [InlineData("64 MiB")]   // no snapshot: it is found when recovery replays the journal
    public async Task Journal_missing_part_of_the_backlog_should_stop_the_topic_with_an_error_naming_the_range(string minSnapshotBytes)
    {
        // arrange: 300 messages written one per journal event, read back in 4 KiB pages; then rows of early ones vanish
        const int count = 300;
        var options = Options($"actorpubsub.topic {{ min-snapshot-bytes = {minSnapshotBytes}, log {{ page-bytes = 4 KiB, window-bytes = 16 KiB }} }}");
        await using (var first = await PubSubNode.StartAsync(options))
        {
            await first.Client.CreateSubscriptionAsync("holes", "s");
            for (var i = 1; i <= count; i++) await first.Client.PublishAsync("holes", new byte[256]);
            await first.StopAsync();
        }
        await ScalarAsync("DELETE FROM journal WHERE persistence_id = 'topic:holes' AND sequence_number BETWEEN 40 AND 45");

        // act
        await using var second = await PubSubNode.StartAsync(options);
        var errors = ErrorLog.Start(second.System);
        var log = new DeliveryLog<byte[]>();
        // (when recovery finds the hole, the topic never answers and subscribing times out: that is the point)
        var subscribing = second.Client.SubscribeAsync("holes", "s", log.Recording);

        // assert: an error names the topic's persistence id and the missing range; nothing past the hole was delivered
        var error = await Eventually.HoldsAsync(() => Task.FromResult(errors.Messages.FirstOrDefault(m => m.Contains("lacks"))),
            m => m is not null, "the topic logged the missing range");
        output.WriteLine(error);
        Assert.Contains("topic:holes", error);
        Assert.Matches(@"messages \d+\.\.\d+", error!);
        Assert.Contains("missing", error);
        Assert.All(log.Sequences, s => Assert.True(s < 40, $"message {s} was delivered past the hole"));
        try
        {
            await (await subscribing).DisposeAsync();
        }
        catch (TimeoutException)
        {
        }
    }

    [Fact]
    public async Task Drop_oldest_should_keep_the_newest_messages_and_count_what_each_subscription_lost()
    {
        // arrange: at most 100 messages, dropping the oldest; one subscription never consumes
        await using var node = await PubSubNode.StartAsync(Options(
            "actorpubsub.topic { max-retained-messages = 100, when-full = drop-oldest }"));
        await node.Client.CreateSubscriptionAsync("lossy", "s");

        // act
        for (var i = 1; i <= 250; i++) await node.Client.PublishAsync("lossy", i);
        var info = await node.Client.GetTopicInfoAsync("lossy");
        var log = new DeliveryLog<int>();
        await using var sub = await node.Client.SubscribeAsync("lossy", "s", log.Recording);
        await log.ReceivedAsync(100);

        // assert: publishers never waited; the newest 100 were kept and delivered; the 150 dropped are counted
        Assert.Equal((250L, 151L, 100L), (info.LastSequence, info.FirstRetained, info.RetainedMessages));
        var s = info.Subscriptions.Single();
        Assert.Equal((150L, 100L), (s.Dropped, s.Pending));
        Assert.Equal(Enumerable.Range(151, 100).Select(i => (long)i), log.Sequences.Order());
    }

    [Fact]
    public async Task Refusing_limit_should_refuse_every_publish_past_it_at_once_and_never_store_more()
    {
        // arrange: at most 100 messages, refusing; a subscription that does not consume yet
        await using var node = await PubSubNode.StartAsync(Options("""
            actorpubsub.topic.max-retained-messages = 100
            actorpubsub.client.publish-timeout = 120s
            """));
        await node.Client.CreateSubscriptionAsync("bounded", "s");

        // act: 1,000 publishes in flight at once
        var outcomes = await Task.WhenAll(Enumerable.Range(1, 1000).Select(async i =>
        {
            try
            {
                await node.Client.PublishAsync("bounded", i);
                return "stored";
            }
            catch (PubSubRejectedException e)
            {
                return e.Code.ToString();
            }
        }));

        // assert: exactly the limit stored, every other publish refused as TopicFull (none left to time out)
        Assert.Equal(100, outcomes.Count(o => o == "stored"));
        Assert.Equal(900, outcomes.Count(o => o == nameof(RejectionCode.TopicFull)));
        Assert.Equal(100L, (await node.Client.GetTopicInfoAsync("bounded")).RetainedMessages);

        // act / assert: once the subscription caught up, the same producer publishes again at once (no gap to wait out)
        var log = new DeliveryLog<int>();
        await using (await node.Client.SubscribeAsync("bounded", "s", log.Recording)) await log.ReceivedAsync(100);
        await Eventually.HoldsAsync(() => node.Client.GetTopicInfoAsync("bounded"), i => i.Subscriptions.Single().Pending == 0,
            "the subscription acknowledged everything");
        var more = await Task.WhenAll(Enumerable.Range(1, 10).Select(i => node.Client.PublishAsync("bounded", i)));
        Assert.Equal(Enumerable.Range(101, 10).Select(i => (long)i), more.Select(r => r.Sequence).Order());
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Publishes <paramref name="count"/> messages of their own payload arrays, <paramref name="inFlight"/> at a time.</summary>
    private static async Task PublishAsync(IPubSub client, string topic, int count, int size, Func<int, string>? key = null,
        int inFlight = 500)
    {
        for (var from = 1; from <= count; from += inFlight)
        {
            var to = Math.Min(count, from + inFlight - 1);
            await Task.WhenAll(Enumerable.Range(from, to - from + 1).Select(i =>
                client.PublishAsync(topic, new byte[size], key is null ? null : new PublishOptions { Key = key(i) })));
        }
    }

    /// <summary>What a page (or batch) of <paramref name="bytes"/> in messages of <paramref name="size"/> costs in memory, as counted.</summary>
    private static long PageCost(long bytes, int size) => bytes + (bytes / size + 1) * (size + HotWindow.MessageOverhead);

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_db.File}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync() is { } value and not DBNull ? Convert.ToInt64(value) : 0;
    }

    /// <summary>The highest value a probe showed, sampled every millisecond or so on its own thread.</summary>
    private sealed class PeakSampler : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stopped;
        private long _peak;

        public PeakSampler(Func<long> probe)
        {
            _thread = new Thread(() =>
            {
                while (!_stopped)
                {
                    var value = probe();
                    if (value > Interlocked.Read(ref _peak)) Interlocked.Exchange(ref _peak, value);
                    Thread.Sleep(1);
                }
            }) { IsBackground = true };
            _thread.Start();
        }

        public long Stop()
        {
            _stopped = true;
            _thread.Join();
            return Interlocked.Read(ref _peak);
        }

        public void Dispose() => Stop();
    }

    /// <summary>The error lines an ActorSystem logs from now on.</summary>
    private sealed class ErrorLog
    {
        private readonly ConcurrentQueue<string> _messages = new();

        public IEnumerable<string> Messages => _messages;

        public static ErrorLog Start(ActorSystem system)
        {
            var log = new ErrorLog();
            var actor = system.ActorOf(Props.Create(() => new Collector(log._messages)));
            system.EventStream.Subscribe(actor, typeof(Error));
            return log;
        }

        private sealed class Collector : ReceiveActor
        {
            public Collector(ConcurrentQueue<string> messages) => Receive<Error>(e => messages.Enqueue(e.Message?.ToString() ?? ""));
        }
    }
}
