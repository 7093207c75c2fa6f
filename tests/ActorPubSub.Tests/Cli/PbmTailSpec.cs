using System.Text.Json;
using ActorPubSub.Cli;
using ActorPubSub.Client;
using ActorPubSub.Tests.Support;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Cli;

/// <summary>
/// <c>pbm pubsub tail</c> against an in-process node: a message published with <c>pbm pubsub publish</c> comes out of
/// the tail; Ctrl-C ends it with exit code 0 and the host deletes its temporary subscription; <c>-s</c> mirrors a
/// subscription's filter without taking its messages; <c>-s --ack</c> consumes the subscription itself.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PbmTailSpec : IAsyncLifetime
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
    public async Task Publish_then_tail_should_round_trip_a_message_and_Ctrl_C_should_delete_the_temporary_subscription()
    {
        // arrange: the topic exists with a message from before the tail (not shown: a tail starts at Latest)
        await Pbm("pubsub", "publish", "orders", "before the tail");
        var tail = PbmRun.Start(_node.Target, "pubsub", "tail", "orders");
        await tail.WaitForOutputAsync("Tailing new messages of orders", stderr: true);
        var during = await SubscriptionsAsync("orders");

        // act
        var published = await Pbm("pubsub", "publish", "orders", "hello from pbm", "-k", "customer-7", "-H", "region=eu");
        await tail.WaitForOutputAsync("hello from pbm");
        tail.Interrupt();
        var result = await tail.ResultAsync();

        // assert
        Assert.Equal(ExitCodes.Ok, published.ExitCode);
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        var line = Assert.Single(result.Lines);
        Assert.Matches(@"^#2 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z key=customer-7 region=eu hello from pbm$", line);
        Assert.DoesNotContain("before the tail", result.Out, StringComparison.Ordinal);
        var temporary = Assert.Single(during);
        Assert.StartsWith("pbm-tail-", temporary, StringComparison.Ordinal);
        await Eventually.HoldsAsync(async () => await SubscriptionsAsync("orders"), s => s.Count == 0, "the temporary subscription is deleted");
    }

    [Fact]
    public async Task Tail_with_json_should_write_one_parseable_event_per_line()
    {
        // arrange
        await Pbm("pubsub", "publish", "orders", "first");
        var tail = PbmRun.Start(_node.Target, "pubsub", "tail", "orders", "--json");
        await tail.WaitForOutputAsync("\"type\":\"started\"");

        // act
        await Pbm("pubsub", "publish", "orders", "second", "--id", "m-2");
        await tail.WaitForOutputAsync("\"type\":\"message\"");
        tail.Interrupt();
        var result = await tail.ResultAsync();

        // assert
        var events = result.Lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["started", "message"], events.Select(e => e.GetProperty("type").GetString()));
        var data = events[1].GetProperty("data");
        Assert.Equal(2, data.GetProperty("sequence").GetInt64());
        Assert.Equal("second", data.GetProperty("payload").GetString());
        Assert.Equal("m-2", data.GetProperty("messageId").GetString());
        Assert.Equal(1, data.GetProperty("attempt").GetInt32());
    }

    [Fact]
    public async Task Tail_of_a_subscription_should_show_what_its_filter_lets_through_without_taking_its_messages()
    {
        // arrange: billing only gets EU orders
        await _node.Client.CreateSubscriptionAsync("orders", "billing", new SubscriptionOptions { Filter = "region = \"eu\"" });
        var tail = PbmRun.Start(_node.Target, "pubsub", "tail", "orders", "-s", "billing");
        await tail.WaitForOutputAsync("that subscription billing receives", stderr: true);

        // act
        await Pbm("pubsub", "publish", "orders", "us order", "-H", "region=us");
        await Pbm("pubsub", "publish", "orders", "eu order", "-H", "region=eu");
        await tail.WaitForOutputAsync("eu order");
        tail.Interrupt();
        var result = await tail.ResultAsync();
        var info = await _node.Client.GetTopicInfoAsync("orders");

        // assert: billing still has its message; only the EU one was shown
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.DoesNotContain("us order", result.Out, StringComparison.Ordinal);
        Assert.Equal(1, info.Subscriptions.Single(s => s.Name == "billing").Pending);
    }

    [Fact]
    public async Task Tail_with_ack_should_consume_the_subscription_backlog_first()
    {
        // arrange: a subscription whose consumers are gone, two messages behind
        await _node.Client.CreateSubscriptionAsync("orders", "stuck");
        await _node.Client.PublishAsync("orders", "backlog 1");
        await _node.Client.PublishAsync("orders", "backlog 2");

        // act
        var tail = PbmRun.Start(_node.Target, "pubsub", "tail", "orders", "-s", "stuck", "--ack");
        await tail.WaitForOutputAsync("backlog 2");
        await Eventually.HoldsAsync(() => _node.Client.GetTopicInfoAsync("orders"),
            i => i.Subscriptions.Single(s => s.Name == "stuck").Pending == 0, "the tail acknowledged the backlog");
        tail.Interrupt();
        var result = await tail.ResultAsync();
        var info = await _node.Client.GetTopicInfoAsync("orders");

        // assert: no temporary subscription was made, the real one is caught up and still there
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("consuming and acknowledging", result.Error, StringComparison.Ordinal);
        Assert.Equal(["stuck"], info.Subscriptions.Select(s => s.Name));
    }

    [Fact]
    public async Task Tail_should_end_with_exit_code_1_when_its_subscription_is_deleted_under_it()
    {
        // arrange
        await _node.Client.CreateSubscriptionAsync("orders", "doomed");
        var tail = PbmRun.Start(_node.Target, "pubsub", "tail", "orders", "-s", "doomed", "--ack");
        await tail.WaitForOutputAsync("consuming and acknowledging", stderr: true);
        await Eventually.HoldsAsync(() => _node.Client.GetTopicInfoAsync("orders"),
            i => i.Subscriptions.Single(s => s.Name == "doomed").Consumers == 1, "the tail's consumer is registered");

        // act
        await _node.Client.DeleteSubscriptionAsync("orders", "doomed");
        var result = await tail.ResultAsync();

        // assert
        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains("the topic ended the tail", result.Error, StringComparison.Ordinal);
    }

    private Task<PbmRun.Result> Pbm(params string[] words) => PbmRun.RunAsync([_node.Target, .. words]);

    private async Task<IReadOnlyList<string>> SubscriptionsAsync(string topic) =>
        [.. (await _node.Client.GetTopicInfoAsync(topic)).Subscriptions.Select(s => s.Name)];
}
