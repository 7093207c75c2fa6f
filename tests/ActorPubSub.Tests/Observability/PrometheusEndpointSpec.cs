using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Observability;

/// <summary>
/// The node as a real process serves its metrics as Prometheus text at /metrics without a token: after a client of its
/// cluster published, consumed and dead-lettered, every metric docs/observability.md documents is there, with its topic and
/// subscription labels, beside the .NET runtime's.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class PrometheusEndpointSpec : IDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly List<TempDatabase> _databases = [];

    /// <summary>The Prometheus names of the metrics table in docs/observability.md (OpenTelemetry adds _total to counters and the unit).</summary>
    public static readonly string[] DocumentedNames =
    [
        "actorpubsub_messages_published_total",
        "actorpubsub_messages_delivered_total",
        "actorpubsub_messages_redelivered_total",
        "actorpubsub_messages_acked_total",
        "actorpubsub_messages_nacked_total",
        "actorpubsub_messages_dead_lettered_total",
        "actorpubsub_consumer_lag",
        "actorpubsub_consumer_lag_age_seconds",
        "actorpubsub_consumer_in_flight",
        "actorpubsub_consumers",
        "actorpubsub_dead_letters_depth",
        "actorpubsub_topics_active",
        "actorpubsub_topics_passivated",
        "actorpubsub_journal_write_duration_seconds",
        "actorpubsub_journal_write_batch_size",
    ];

    [Fact]
    public async Task Node_should_serve_the_documented_metrics_as_prometheus_text_at_metrics()
    {
        // arrange: a node on a free web port, and a client of its cluster that makes every counter move
        var db = NewDatabase();
        await using var node = NodeProcess.Start(new Dictionary<string, string>
        {
            ["HttpAddress"] = "127.0.0.1:0",
            ["SqliteFile"] = db.File,
        }, Path.GetDirectoryName(db.File)!);
        var metricsLine = await node.WaitForOutputAsync("Metrics (Prometheus text) on", StartDeadline);
        var url = new Uri(MetricsUrl().Match(metricsLine).Value);
        var upLine = await node.WaitForOutputAsync("ActorPubSub node is Up", StartDeadline);
        var seed = upLine[upLine.IndexOf("akka.tcp://", StringComparison.Ordinal)..].Trim();
        await using var client = await PubSubNode.StartClientAsync(seed, new PubSubOptions { SqliteFile = NewDatabase().File }, "actorpubsub");
        var flakyFailed = 0;
        await using var subscription = await client.Client.SubscribeAsync<string>("orders", "billing", (d, _) => d.Message switch
        {
            "poison" => throw new UnprocessableMessageException("not an order"),
            "flaky" when Interlocked.Exchange(ref flakyFailed, 1) == 0 => throw new InvalidOperationException("try again"),
            _ => Task.CompletedTask,
        }, new SubscriptionOptions { MaxDeliveryAttempts = 2, Backoff = new(TimeSpan.Zero, TimeSpan.Zero, 1) });
        await client.Client.PublishAsync("orders", "order 1");
        await client.Client.PublishAsync("orders", "flaky");
        await client.Client.PublishAsync("orders", "poison");

        // act: scrape until the retry and the dead letter are counted (the topic runs in the node: its counters are the node's)
        var text = await Eventually.HoldsAsync(() => Http.GetStringAsync(url),
            // (the lag gauge drops the dead letter only once the topic has written the store's confirmation)
            t => Sample(t, "actorpubsub_dead_letters_depth", "orders", "billing") == 1 &&
                 Sample(t, "actorpubsub_messages_acked_total", "orders", "billing") == 2 &&
                 Sample(t, "actorpubsub_consumer_lag", "orders", "billing") == 0,
            "the node reports the retried message acked and the dead letter", TimeSpan.FromSeconds(60));
        using var response = await Http.GetAsync(url);

        // assert: plain text, every documented name, labelled samples with the values of what happened
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var names = Names(text);
        Assert.All(DocumentedNames, name => Assert.Contains(name, names));
        Assert.Contains(names, n => n.StartsWith("dotnet_", StringComparison.Ordinal));   // the runtime's meter
        Assert.Equal(3, Sample(text, "actorpubsub_messages_published_total", "orders"));
        Assert.Equal(1, Sample(text, "actorpubsub_messages_redelivered_total", "orders", "billing"));
        Assert.Equal(2, Sample(text, "actorpubsub_messages_nacked_total", "orders", "billing"));
        Assert.Equal(0, Sample(text, "actorpubsub_consumer_lag", "orders", "billing"));
        Assert.Equal(1, Sample(text, "actorpubsub_consumers", "orders", "billing"));
        Assert.True(Sample(text, "actorpubsub_topics_active") >= 1);
    }

    [Fact]
    public async Task Lighthouse_should_serve_the_runtime_metrics_as_prometheus_text_at_metrics()
    {
        // arrange
        var workingDirectory = Directory.CreateTempSubdirectory("actorpubsub-lighthouse-").FullName;
        await using var lighthouse = ServiceProcess.StartLighthouse(new Dictionary<string, string>
        {
            ["CLUSTER_IP"] = "127.0.0.1",
            ["CLUSTER_PORT"] = "0",
            ["ACTORPUBSUB_Lighthouse__HttpAddress"] = "127.0.0.1:0",
        }, workingDirectory);
        var url = new Uri(MetricsUrl().Match(await lighthouse.WaitForOutputAsync("Metrics (Prometheus text) on", StartDeadline)).Value);

        // act: the runtime's observable instruments report on the first scrape
        var text = await Eventually.HoldsAsync(() => Http.GetStringAsync(url),
            t => Names(t).Any(n => n.StartsWith("dotnet_", StringComparison.Ordinal)), "the lighthouse reports the runtime's metrics");

        // assert: no ActorPubSub meter there (it runs no topics)
        Assert.DoesNotContain(Names(text), n => n.StartsWith("actorpubsub_", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        foreach (var db in _databases) db.Dispose();
    }

    private TempDatabase NewDatabase()
    {
        var db = new TempDatabase();
        _databases.Add(db);
        return db;
    }

    /// <summary>The metric family names of an exposition (from its <c># TYPE</c> lines).</summary>
    private static HashSet<string> Names(string text) =>
        [.. text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2])];

    /// <summary>The value of the sample of <paramref name="name"/> with these labels, or null when there is none.</summary>
    private static double? Sample(string text, string name, string? topic = null, string? subscription = null)
    {
        foreach (var line in text.Split('\n'))
        {
            var match = SampleLine().Match(line);
            if (!match.Success || match.Groups["name"].Value != name) continue;
            var labels = match.Groups["labels"].Value;
            if (topic is not null && !labels.Contains($"topic=\"{topic}\"", StringComparison.Ordinal)) continue;
            if (subscription is not null && !labels.Contains($"subscription=\"{subscription}\"", StringComparison.Ordinal)) continue;
            return double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        return null;
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/metrics")]
    private static partial Regex MetricsUrl();

    // name{labels} value [timestamp]
    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})?\s+(?<value>\S+)")]
    private static partial Regex SampleLine();
}
