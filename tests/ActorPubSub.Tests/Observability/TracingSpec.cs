using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.DependencyInjection;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Observability;
using ActorPubSub.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Observability;

/// <summary>
/// Traces and correlation ids across a two-node cluster (loopback, shared SQLite journal): a message published on
/// one node and handled on the other is one trace (publish → persist → process), the correlation id arrives with
/// it, is in the handler's log scope, and is kept by what the handler publishes in turn.
/// </summary>
[Trait("Category", "MultiNode")]
public sealed class TracingSpec : IAsyncLifetime
{
    private readonly string _prefix = $"obs-trace-{Guid.NewGuid():N}";
    private readonly CapturingLoggerProvider _logs = new();
    private PubSubCluster _cluster = null!;
    private ActivityCollector _activities = null!;

    private IReadOnlyList<PubSubNode> Nodes => _cluster.Nodes;

    public async Task InitializeAsync()
    {
        _activities = new ActivityCollector(_prefix);
        // the logs of node 1 only: where the handler runs
        _cluster = await PubSubCluster.StartAsync(2, services: (member, s) =>
        {
            if (member == 1) s.AddSingleton<ILoggerProvider>(_logs);
        });
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _activities.Dispose();
    }

    [Fact]
    public async Task Handler_span_on_another_node_should_continue_the_publish_trace_and_keep_the_correlation_id()
    {
        // arrange: published on node 0, handled on node 1, whose handler logs and publishes a follow-up
        var (publisher, consumer) = (Nodes[0], Nodes[1]);
        string orders = $"{_prefix}-orders", invoices = $"{_prefix}-invoices";
        var handlerLogger = DependencyResolver.For(consumer.System).Resolver.GetService<ILoggerFactory>().CreateLogger("Billing");
        var handled = new ConcurrentQueue<(Delivery<string> Delivery, ActivityContext? Current)>();
        await using var billing = await consumer.Client.SubscribeAsync<string>(orders, "billing", async (d, ct) =>
        {
            handled.Enqueue((d, Activity.Current?.Context));
            handlerLogger.LogInformation("billing {Message}", d.Message);
            await Task.Yield();   // the scope and the ambient correlation id flow into continuations
            await consumer.Client.PublishAsync(invoices, $"invoice for {d.Message}", cancellationToken: ct);
        });
        var invoiced = new DeliveryLog<string>();
        await using var archive = await publisher.Client.SubscribeAsync<string>(invoices, "archive", invoiced.Recording);

        // act
        var receipt = await publisher.Client.PublishAsync(orders, "order 42", new PublishOptions { CorrelationId = "order-42" });
        await invoiced.ReceivedAsync(1);

        // assert: the delivery and the follow-up carry the correlation id
        var (delivery, current) = Assert.Single(handled);
        Assert.Equal("order-42", delivery.CorrelationId);
        Assert.Equal("order-42", Assert.Single(invoiced.All).CorrelationId);

        // the spans: publish (producer) → persist (group commit) → process (consumer, child and link) → the follow-up
        var publish = await SpanAsync($"publish {orders}");
        Assert.Equal(ActivityKind.Producer, publish.Kind);
        Assert.Equal(receipt.Sequence, publish.GetTagItem("actorpubsub.sequence"));
        Assert.Equal("order-42", publish.GetTagItem("messaging.message.conversation_id"));

        var persist = await SpanAsync($"persist {orders}");
        Assert.Contains(persist.Links, l => l.Context.SpanId == publish.SpanId && l.Context.TraceId == publish.TraceId);

        var process = await SpanAsync($"process {orders}");
        Assert.Equal(ActivityKind.Consumer, process.Kind);
        Assert.Equal(publish.TraceId, process.TraceId);
        Assert.Equal(publish.SpanId, process.ParentSpanId);
        Assert.Contains(process.Links, l => l.Context.SpanId == publish.SpanId && l.Context.TraceId == publish.TraceId);
        Assert.Equal("order-42", process.GetTagItem("messaging.message.conversation_id"));
        Assert.Equal("ack", process.GetTagItem("actorpubsub.outcome"));
        Assert.Equal(process.SpanId, current?.SpanId);   // the handler ran inside its span

        var followUp = await SpanAsync($"publish {invoices}");
        Assert.Equal(process.TraceId, followUp.TraceId);
        Assert.Equal(process.SpanId, followUp.ParentSpanId);
        var archived = await SpanAsync($"process {invoices}");
        Assert.Equal(followUp.SpanId, archived.ParentSpanId);

        // the handler's log line is in a scope with the correlation id, topic, subscription and sequence
        var line = Assert.Single(_logs.Entries, e => e.Category == "Billing");
        Assert.Equal("order-42", line.ScopeProperties["CorrelationId"]);
        Assert.Equal((orders, "billing", receipt.Sequence),
            ((string?)line.ScopeProperties["Topic"], (string?)line.ScopeProperties["Subscription"], (long?)line.ScopeProperties["Sequence"]));
    }

    [Fact]
    public async Task Failed_handler_span_should_end_as_an_error_with_the_nack_outcome()
    {
        // arrange
        var orders = $"{_prefix}-failing";
        var attempts = 0;
        await using var billing = await Nodes[1].Client.SubscribeAsync<string>(orders, "billing", (_, _) =>
            Interlocked.Increment(ref attempts) == 1 ? throw new InvalidOperationException("bad total") : Task.CompletedTask,
            new SubscriptionOptions { Backoff = new ActorPubSub.RetryBackoff(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(20), 1) });

        // act
        await Nodes[0].Client.PublishAsync(orders, "order 7");
        await Eventually.HoldsAsync(() => _activities.Named($"process {orders}").Count == 2, "both attempts' spans ended");

        // assert: two process spans in the publish's trace, the first a nack with the error
        var publish = await SpanAsync($"publish {orders}");
        var spans = _activities.Named($"process {orders}").OrderBy(a => (int)a.GetTagItem("actorpubsub.attempt")!).ToList();
        Assert.All(spans, s => Assert.Equal(publish.TraceId, s.TraceId));
        Assert.Equal(("nack", ActivityStatusCode.Error), ((string?)spans[0].GetTagItem("actorpubsub.outcome"), spans[0].Status));
        Assert.Contains("bad total", spans[0].StatusDescription, StringComparison.Ordinal);
        Assert.Equal(("ack", ActivityStatusCode.Unset), ((string?)spans[1].GetTagItem("actorpubsub.outcome"), spans[1].Status));
    }

    [Fact]
    public async Task Message_at_the_size_limit_should_be_published_without_the_trace_headers_it_has_no_room_for()
    {
        // arrange: exactly max-message-size (a byte[] payload carries no manifest)
        var topic = $"{_prefix}-large";
        var log = new DeliveryLog<byte[]>();
        await using var subscription = await Nodes[1].Client.SubscribeAsync<byte[]>(topic, "s", log.Recording);
        var body = new byte[1024 * 1024];

        // act
        var receipt = await Nodes[0].Client.PublishAsync(topic, body);

        // assert: stored and delivered as it is; the publish span says what it left out
        await log.ReceivedAsync(1);
        Assert.Null(log.All.Single().Headers);
        var publish = await SpanAsync($"publish {topic}");
        Assert.Equal(true, publish.GetTagItem("actorpubsub.context_dropped"));
        Assert.Equal(receipt.Sequence, publish.GetTagItem("actorpubsub.sequence"));
    }

    private async Task<Activity> SpanAsync(string name)
    {
        await Eventually.HoldsAsync(() => _activities.Named(name).Count > 0, $"a '{name}' span ended");
        return Assert.Single(_activities.Named(name));
    }
}
