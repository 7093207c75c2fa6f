using System.Text.RegularExpressions;
using ActorPubSub.Cli;
using ActorPubSub.Client;
using ActorPubSub.Tests.Support;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Cli;

/// <summary>
/// The pubsub palette through pbm (in-process) against an in-process node: the output shape of each command, its
/// <c>--json</c>, its exit code, and clear "not found" and usage errors.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class PbmPubSubSpec : IAsyncLifetime
{
    private readonly TempDatabase _db = new();
    private AdminNode _node = null!;

    public async Task InitializeAsync() => _node = await AdminNode.StartAsync(_db.File);

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _db.Dispose();
    }

    [Fact]
    public async Task Publish_should_store_the_message_with_key_and_headers_and_print_its_sequence()
    {
        // act
        var first = await Pbm("pubsub", "publish", "orders", "order 1 placed", "-k", "customer-7", "-H", "region=eu", "-H", "type=created");
        var json = await Pbm("pubsub", "publish", "orders", "order 2", "--id", "m-2", "--json");
        var repeat = await Pbm("pubsub", "publish", "orders", "order 2", "--id", "m-2");

        // assert
        Assert.Equal(ExitCodes.Ok, first.ExitCode);
        Assert.Equal(["Published to orders as #1"], first.Lines);
        Assert.Equal(2, json.Json().GetProperty("sequence").GetInt64());
        Assert.False(json.Json().GetProperty("duplicate").GetBoolean());
        Assert.Contains("as #2 (a repeat of a message id", repeat.Out, StringComparison.Ordinal);
        Assert.Equal(2, (await _node.Client.GetTopicInfoAsync("orders")).LastSequence);
    }

    [Fact]
    public async Task Topics_on_a_new_node_should_list_none()
    {
        // act: nothing written yet, so the journal table does not exist (it is created with the first write)
        var table = await Pbm("pubsub", "topics");
        var json = await Pbm("pubsub", "topics", "--json");

        // assert
        Assert.Equal(ExitCodes.Ok, table.ExitCode);
        Assert.Equal("Count: 0 topics", table.Lines[^1]);
        Assert.Equal(ExitCodes.Ok, json.ExitCode);
        Assert.Empty(json.Json().GetProperty("topics").EnumerateArray());
    }

    [Fact]
    public async Task Topics_should_list_every_topic_with_last_sequence_subscriptions_retained_and_node()
    {
        // arrange: three topics, one passivated-able with a subscription
        await _node.Client.CreateSubscriptionAsync("invoices", "billing");
        for (var i = 0; i < 3; i++) await _node.Client.PublishAsync("invoices", $"invoice {i}");
        await _node.Client.PublishAsync("orders", "order");
        await _node.Client.PublishAsync("audit_log", "entry");

        // act
        var table = await Pbm("pubsub", "topics");
        var json = await Pbm("pubsub", "topics", "--json");
        var page = await Pbm("pubsub", "topics", "-n", "2");
        var prefixed = await Pbm("pubsub", "topics", "--prefix", "inv");

        // assert
        Assert.Equal(ExitCodes.Ok, table.ExitCode);
        Assert.Matches(@"^TOPIC\s+LAST SEQ\s+SUBSCRIPTIONS\s+RETAINED\s+LIMITS\s+NODE$", table.Lines[0]);
        Assert.Equal(
            [["audit_log", "1", "0", "1", "10 GiB, refuse", _node.Address.ToString()], ["invoices", "3", "1", "3", "10 GiB, refuse", _node.Address.ToString()], ["orders", "1", "0", "1", "10 GiB, refuse", _node.Address.ToString()]],
            table.Rows());
        Assert.Equal("Count: 3 topics", table.Lines[^1]);
        var topics = json.Json().GetProperty("topics").EnumerateArray().ToList();
        Assert.Equal(["audit_log", "invoices", "orders"], topics.Select(t => t.GetProperty("topic").GetString()));
        Assert.Equal(3, topics[1].GetProperty("lastSequence").GetInt64());
        Assert.Equal("Count: 2 of 3 topics (next page: --after invoices)", page.Lines[^1]);
        Assert.Equal("invoices", Assert.Single(prefixed.Rows())[0]);
    }

    [Fact]
    public async Task Topic_subscriptions_and_lag_should_show_watermark_lag_in_flight_and_consumers()
    {
        // arrange: billing is 3 behind, shipping caught up
        await _node.Client.CreateSubscriptionAsync("orders", "billing");
        await _node.Client.CreateSubscriptionAsync("orders", "shipping");
        await _node.Client.CreateSubscriptionAsync("invoices", "ledger");
        for (var i = 0; i < 3; i++) await _node.Client.PublishAsync("orders", $"order {i}");
        await _node.Client.PublishAsync("invoices", "invoice");
        var log = new DeliveryLog<string>();
        await using (var shipping = await _node.Client.SubscribeAsync<string>("orders", "shipping", log.Recording))
        {
            await log.ReceivedAsync(3);
            await Eventually.HoldsAsync(() => _node.Client.GetTopicInfoAsync("orders"),
                i => i.Subscriptions.Single(s => s.Name == "shipping").Pending == 0, "shipping acked everything");
        }

        // act
        var topic = await Pbm("pubsub", "topic", "orders");
        var subscriptions = await Pbm("pubsub", "subscriptions", "orders");
        var all = await Pbm("pubsub", "subscriptions", "--json");
        var lag = await Pbm("pubsub", "lag");

        // assert
        Assert.Equal(ExitCodes.Ok, topic.ExitCode);
        Assert.Contains("Topic: orders", topic.Lines);
        Assert.Contains("Last sequence: 3", topic.Lines);
        // (LAG AGE, the age of the oldest unacknowledged message, depends on the clock: checked apart)
        Assert.Contains(topic.Lines, l => Regex.IsMatch(l, @"^billing\s+0\s+3\s+\d+(\.\d+)?s\s+0\s+0\s+30s\s+10\s+no\s+0$"));
        // (the node's default limits: reference.conf)
        Assert.Contains("Limits: max-retained-bytes 10 GiB, max-retained-messages none, max-retained-age none, when-full refuse", topic.Lines);
        Assert.Matches(@"^TOPIC\s+SUBSCRIPTION\s+WATERMARK\s+LAG\s+LAG AGE\s+IN-FLIGHT\s+CONSUMERS\s+DEAD LETTERS\s+DROPPED\s+TRANSIENT DROPPED\s+TRANSIENT WAITING$", subscriptions.Lines[0]);
        // (DEAD LETTERS "-": no store has reported, as nothing was dead-lettered)
        Assert.Equal([["orders", "billing", "0", "3", "0", "0", "-", "0", "0", "0"], ["orders", "shipping", "3", "0", "0", "0", "-", "0", "0", "0"]],
            subscriptions.Rows().Select(r => r.Where((_, i) => i != 4).ToArray()).ToArray());
        Assert.Matches(@"^\d+(\.\d+)?s$", subscriptions.Rows()[0][4]);
        Assert.Equal("0s", subscriptions.Rows()[1][4]);   // shipping: nothing pending
        Assert.Equal(3, all.Json().GetProperty("subscriptions").GetArrayLength());
        Assert.True(all.Json().GetProperty("subscriptions")[0].GetProperty("lagSeconds").GetDouble() >= 0);
        Assert.Matches(@"^TOPIC\s+SUBSCRIPTION\s+LAG\s+LAG AGE\s+IN-FLIGHT\s+CONSUMERS\s+WATERMARK\s+LAST SEQ\s+DROPPED$", lag.Lines[0]);
        Assert.Equal([["orders", "billing", "3", "0", "0", "0", "3", "0"], ["invoices", "ledger", "1", "0", "0", "0", "1", "0"], ["orders", "shipping", "0", "0", "0", "3", "3", "0"]],
            lag.Rows().Select(r => r.Where((_, i) => i != 3).ToArray()).ToArray());
        Assert.Equal("0s", lag.Rows()[2][3]);
        Assert.Equal(["Count: 3 subscriptions in 2 topics", "Total lag: 4"], lag.Lines.TakeLast(2));
    }

    [Fact]
    public async Task Configure_should_set_a_topics_limits_which_topics_topic_and_json_show()
    {
        // arrange
        await _node.Client.PublishAsync("orders", "order");

        // act: limits given keep the others as the topic has them
        var set = await Pbm("pubsub", "configure", "orders", "--max-bytes", "10GiB", "--max-age", "7d", "--when-full", "drop-oldest");
        var more = await Pbm("pubsub", "configure", "orders", "--max-messages", "1000", "--json");
        var topics = await Pbm("pubsub", "topics");
        var topic = await Pbm("pubsub", "topic", "orders");
        var json = await Pbm("pubsub", "topic", "orders", "--json");

        // assert
        Assert.Equal(ExitCodes.Ok, set.ExitCode);
        Assert.Equal(["Configured topic orders: max-retained-bytes 10 GiB, max-retained-messages none, max-retained-age 7d, when-full drop-oldest"],
            set.Lines);
        var limits = more.Json().GetProperty("limits");
        Assert.Equal((10L << 30, 1000L, "7.00:00:00", "drop-oldest"), (limits.GetProperty("maxBytes").GetInt64(),
            limits.GetProperty("maxMessages").GetInt64(), limits.GetProperty("maxAge").GetString(), limits.GetProperty("whenFull").GetString()));
        Assert.Equal("1,000 msgs, 10 GiB, 7d, drop-oldest", Assert.Single(topics.Rows())[4]);
        Assert.Contains("Limits: max-retained-bytes 10 GiB, max-retained-messages 1,000, max-retained-age 7d, when-full drop-oldest", topic.Lines);
        Assert.Equal(1000, json.Json().GetProperty("limits").GetProperty("maxMessages").GetInt64());
        Assert.Equal(new TopicLimits(10L << 30, 1000, TimeSpan.FromDays(7), WhenFull.DropOldest), (await _node.Client.GetTopicInfoAsync("orders")).Limits);
    }

    [Fact]
    public async Task Lag_and_subscriptions_should_show_what_the_limits_dropped()
    {
        // arrange: drop-oldest at 5 messages, 12 published for a subscription that does not consume
        await _node.Client.CreateSubscriptionAsync("lossy", "slow");
        await _node.Client.ConfigureTopicAsync("lossy", null, new TopicLimits(0, 5, TimeSpan.Zero, WhenFull.DropOldest));
        for (var i = 0; i < 12; i++) await _node.Client.PublishAsync("lossy", $"m{i}");
        await Eventually.HoldsAsync(() => _node.Client.GetTopicInfoAsync("lossy"), i => i.Subscriptions.Single().Dropped == 7, "7 dropped");

        // act
        var lag = await Pbm("pubsub", "lag");
        var subscriptions = await Pbm("pubsub", "subscriptions", "lossy");
        var json = await Pbm("pubsub", "lag", "--json");

        // assert
        // (LAG 5, IN-FLIGHT 0, CONSUMERS 0, WATERMARK 7: the dropped count as skipped, LAST SEQ 12, DROPPED 7)
        Assert.Equal(["lossy", "slow", "5", "0", "0", "7", "12", "7"], Assert.Single(lag.Rows()).Where((_, i) => i != 3));
        Assert.Equal(["7", "0", "0"], Assert.Single(subscriptions.Rows())[^3..]);   // DROPPED, TRANSIENT DROPPED, TRANSIENT WAITING
        Assert.Equal(7, json.Json().GetProperty("subscriptions")[0].GetProperty("dropped").GetInt64());
    }

    [Fact]
    public async Task Subscriptions_should_show_the_transient_messages_waiting_for_a_stalled_consumer()
    {
        // arrange: a consumer whose handler does not return. The topic hands a consumer up to transient-window transient
        // messages (the client holds them within that bound); 5 more than that wait at the topic.
        var window = _node.System.Settings.Config.GetInt("actorpubsub.topic.transient-window");
        await _node.Client.CreateSubscriptionAsync("ticks", "slow");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var consumer = await _node.Client.SubscribeAsync<int>("ticks", "slow", async (_, _) => await release.Task,
            null, new ConsumerOptions { MaxInFlight = 2 });
        try
        {
            for (var i = 0; i < window + 5; i++) await _node.Client.PublishTransientAsync("ticks", i);
            await Eventually.HoldsAsync(() => _node.Client.GetTopicInfoAsync("ticks"), i => i.Subscriptions.Single().TransientWaiting == 5,
                "5 transient messages wait at the topic");

            // act
            var subscriptions = await Pbm("pubsub", "subscriptions", "ticks");
            var json = await Pbm("pubsub", "subscriptions", "ticks", "--json");

            // assert
            Assert.Equal(ExitCodes.Ok, subscriptions.ExitCode);
            Assert.Equal(["0", "5"], Assert.Single(subscriptions.Rows())[^2..]);   // TRANSIENT DROPPED, TRANSIENT WAITING
            Assert.Equal(5, json.Json().GetProperty("subscriptions")[0].GetProperty("transientWaiting").GetInt32());
        }
        finally
        {
            release.SetResult();
        }
    }

    [Fact]
    public async Task Subscription_create_and_delete_should_manage_durable_subscriptions()
    {
        // arrange
        await _node.Client.PublishAsync("orders", "one");
        await _node.Client.PublishAsync("orders", "two");

        // act
        var earliest = await Pbm("pubsub", "subscription", "create", "orders", "billing");
        var latest = await Pbm("pubsub", "subscription", "create", "orders", "audit", "--latest", "-f", "region = \"eu\"");
        var again = await Pbm("pubsub", "subscription", "create", "orders", "billing");
        var badFilter = await Pbm("pubsub", "subscription", "create", "orders", "broken", "--filter", "region ==");
        var info = await _node.Client.GetTopicInfoAsync("orders");
        var deleted = await Pbm("pubsub", "subscription", "delete", "orders", "audit");
        var unknown = await Pbm("pubsub", "subscription", "delete", "orders", "audit");

        // assert
        Assert.Equal(["Created subscription orders/billing (from the oldest retained message)"], earliest.Lines);
        Assert.Equal(["Created subscription orders/audit (from after #2)"], latest.Lines);
        Assert.Equal(["Subscription orders/billing exists already (watermark 0)"], again.Lines);
        Assert.Equal(ExitCodes.Usage, badFilter.ExitCode);
        Assert.Equal(2, info.Subscriptions.Single(s => s.Name == "billing").Pending);
        Assert.Equal("region = \"eu\"", info.Subscriptions.Single(s => s.Name == "audit").Filter);
        Assert.Equal(["Deleted subscription orders/audit"], deleted.Lines);
        Assert.Equal(ExitCodes.Failed, unknown.ExitCode);
        Assert.Contains("subscription 'audit' not found on topic 'orders'; its subscriptions are billing", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dead_letter_commands_should_list_show_redrive_and_purge()
    {
        // arrange: two messages declared unprocessable are dead-lettered at once
        await _node.Client.CreateSubscriptionAsync("orders", "billing");
        await _node.Client.PublishAsync("orders", "poison 1", new PublishOptions { Key = "k1" });
        await _node.Client.PublishAsync("orders", "poison 2");
        await using (var consumer = await _node.Client.SubscribeAsync<string>("orders", "billing",
                         (_, _) => throw new UnprocessableMessageException("bad total")))
        {
            await Eventually.HoldsAsync(() => _node.Client.ListDeadLettersAsync("orders", "billing"), p => p.Total == 2, "both are dead letters");
        }

        // act
        var list = await Pbm("pubsub", "dlq", "list", "orders", "billing");
        var show = await Pbm("pubsub", "dlq", "show", "orders", "billing", "1");
        var showJson = await Pbm("pubsub", "dlq", "show", "orders", "billing", "1", "--json");
        var missing = await Pbm("pubsub", "dlq", "show", "orders", "billing", "9");
        var noSelection = await Pbm("pubsub", "dlq", "purge", "orders", "billing");
        var purge = await Pbm("pubsub", "dlq", "purge", "orders", "billing", "2", "5");
        var redrive = await Pbm("pubsub", "dlq", "redrive", "orders", "billing", "--all");
        var unknownSubscription = await Pbm("pubsub", "dlq", "list", "orders", "nobody");

        // assert
        Assert.Equal(ExitCodes.Ok, list.ExitCode);
        Assert.Matches(@"^SEQ\s+ATTEMPTS\s+REASON\s+LAST FAILURE\s+LAST ERROR\s+PAYLOAD$", list.Lines[0]);
        Assert.Equal(["1", "2"], list.Rows().Select(r => r[0]));
        Assert.Contains("unprocessable", list.Lines[1], StringComparison.Ordinal);
        Assert.Contains("poison 1", list.Lines[1], StringComparison.Ordinal);
        Assert.Equal("Count: 2 of 2 dead letters", list.Lines[^1]);
        Assert.Contains("Dead letter #1 of orders/billing", show.Lines);
        Assert.Contains(show.Lines, l => l.StartsWith("Payload (string, 8 bytes): poison 1", StringComparison.Ordinal));
        Assert.Contains(show.Lines, l => l.Contains("key=k1", StringComparison.Ordinal));
        Assert.Equal("poison 1", showJson.Json().GetProperty("message").GetProperty("payload").GetString());
        Assert.Equal(ExitCodes.Failed, missing.ExitCode);
        Assert.Equal(["pbm: no dead letter #9 in orders/billing"], missing.ErrorLines);
        Assert.Equal(ExitCodes.Usage, noSelection.ExitCode);
        Assert.Contains("give the sequence numbers of the dead letters, or --all", noSelection.Error, StringComparison.Ordinal);
        Assert.Equal(["Purged: 1 dead letter of orders/billing (not found: 5)"], purge.Lines);
        Assert.Equal(["Redriven: 1 dead letter of orders/billing"], redrive.Lines);
        Assert.Equal(0, (await _node.Client.ListDeadLettersAsync("orders", "billing")).Total);
        Assert.Equal(ExitCodes.Failed, unknownSubscription.ExitCode);
        Assert.Contains("subscription 'nobody' not found on topic 'orders'; its subscriptions are billing", unknownSubscription.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cluster", "show")]
    [InlineData("cluster", "status")]
    [InlineData("cluster", "leader")]
    [InlineData("cluster", "down-unreachable")]
    [InlineData("sharding", "regions")]
    [InlineData("sharding", "stats")]
    [InlineData("actor", "hierarchy", "-d", "1")]
    [InlineData("pubsub", "topics")]
    [InlineData("pubsub", "topic", "orders")]
    [InlineData("pubsub", "subscriptions")]
    [InlineData("pubsub", "subscriptions", "orders")]
    [InlineData("pubsub", "lag")]
    [InlineData("pubsub", "dlq", "list", "orders", "billing")]
    [InlineData("pubsub", "publish", "orders", "via json")]
    [InlineData("pubsub", "subscription", "create", "orders", "audit")]
    [InlineData("pubsub", "configure", "orders", "--max-messages", "1000")]
    public async Task Every_command_should_print_one_JSON_object_with_json(params string[] words)
    {
        // arrange
        await _node.Client.CreateSubscriptionAsync("orders", "billing");
        await _node.Client.PublishAsync("orders", "order");

        // act
        var result = await Pbm([.. words, "--json"]);

        // assert
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal(System.Text.Json.JsonValueKind.Object, result.Json().ValueKind);
        Assert.Empty(result.Error);
    }

    [Theory]
    [InlineData(ExitCodes.Failed, "pbm: topic 'nope' not found", "pubsub", "topic", "nope")]
    [InlineData(ExitCodes.Failed, "pbm: topic 'nope' not found", "pubsub", "subscriptions", "nope")]
    [InlineData(ExitCodes.Failed, "pbm: topic 'nope' not found", "pubsub", "tail", "nope")]
    [InlineData(ExitCodes.Failed, "pbm: unknown palette 'pubsubs'", "pubsubs", "topics")]
    [InlineData(ExitCodes.Failed, "pbm: unknown command 'pubsub topix'", "pubsub", "topix")]
    [InlineData(ExitCodes.Usage, "pbm: topic: The topic name 'bad/name' has the character '/'", "pubsub", "topic", "bad/name")]
    [InlineData(ExitCodes.Usage, "pbm: <text> is required", "pubsub", "publish", "orders")]
    [InlineData(ExitCodes.Usage, "pbm: unknown option -x for pubsub topics", "pubsub", "topics", "-x")]
    [InlineData(ExitCodes.Usage, "pbm: ack: needs -s <subscription>", "pubsub", "tail", "orders", "--ack")]
    [InlineData(ExitCodes.Usage, "pubsub: topics, subscriptions", "pubsub")]
    [InlineData(ExitCodes.Usage, "pbm: max-bytes: must be a size like 10GiB, 512MiB, 1GB or 0 (no limit), not '10 parsecs'", "pubsub", "configure", "orders", "--max-bytes", "10 parsecs")]
    [InlineData(ExitCodes.Usage, "pbm: max-age: must be a duration like 7d, 12h, 30m, 45s, 500ms or 0 (no limit), not '7'", "pubsub", "configure", "orders", "--max-age", "7")]
    [InlineData(ExitCodes.Usage, "pbm: when-full: must be refuse or drop-oldest, not 'block'", "pubsub", "configure", "orders", "--when-full", "block")]
    [InlineData(ExitCodes.Usage, "pbm: --max-messages must be an integer of at least 0", "pubsub", "configure", "orders", "--max-messages", "-1")]
    [InlineData(ExitCodes.Usage, "pbm: limits: give at least one of --max-bytes, --max-messages, --max-age, --when-full", "pubsub", "configure", "orders")]
    [InlineData(ExitCodes.Usage, "pbm: Invalid limits for topic 'orders': Max age is 4000.00:00:00; it must be between 0 (no limit) and 3650 days.", "pubsub", "configure", "orders", "--max-age", "4000d")]
    public async Task Bad_commands_should_fail_with_one_line_and_the_right_exit_code(int exitCode, string error, params string[] words)
    {
        // arrange: orders exists, so only what is named is wrong
        await _node.Client.PublishAsync("orders", "order");

        // act
        var result = await Pbm(words);
        var after = await Pbm("cluster", "show");

        // assert
        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.StartsWith(error, result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Empty(result.Out);
        if (exitCode == ExitCodes.Usage && words.Length > 2) Assert.StartsWith("usage: pbm pubsub ", result.ErrorLines[^1], StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, after.ExitCode);
    }

    private Task<PbmRun.Result> Pbm(params string[] words) => PbmRun.RunAsync([_node.Target, .. words]);
}
