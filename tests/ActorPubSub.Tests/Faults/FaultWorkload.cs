using ActorPubSub.Client;
using ActorPubSub.Tests.Support;
using Xunit.Abstractions;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// What runs through a fault test: a topic of its own, a subscription ordered by key consumed by the client, the
/// keyed publishers, the host tracker, and the ledger that records all of it. Started warm (messages flowing end to
/// end), stopped by draining (waiting until every confirmed message was delivered, or the deadline) and checked.
/// </summary>
public sealed class FaultWorkload : IAsyncDisposable
{
    public const string Subscription = "checker";

    /// <summary>When set to a file, each test's figures are appended to it too (CI prints it after the run).</summary>
    public const string ReportVariable = "ACTORPUBSUB_FAULTS_REPORT";
    private const int Keys = 4;

    /// <summary>Delivered before the first fault (about 2 s of traffic): the fault hits a topic in mid-stream.</summary>
    private const int WarmUpMessages = 200;

    /// <summary>4 keys × 25 publishes/s: enough traffic to be in flight at any instant, little enough to leave the CPU to the cluster.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(40);

    /// <summary>A delivery lost on the way (not just unacknowledged) comes back after this; short, to bound recovery.</summary>
    private static readonly TimeSpan AckDeadline = TimeSpan.FromSeconds(10);

    private readonly ISubscription _subscription;
    private readonly KeyedPublisher _publisher;
    private readonly MembershipTimeline _membership;
    private readonly ITestOutputHelper _output;

    /// <summary>The database the brokers write to, for the diagnosis printed when traffic does not resume.</summary>
    public string? ConnectionString { get; init; }

    private FaultWorkload(string topic, MessageLedger ledger, TopicHostTracker tracker, MembershipTimeline membership,
        ISubscription subscription, KeyedPublisher publisher, ITestOutputHelper output)
    {
        (Topic, Ledger, Tracker, _membership, _subscription, _publisher, _output) =
            (topic, ledger, tracker, membership, subscription, publisher, output);
    }

    public string Topic { get; }
    public MessageLedger Ledger { get; }
    public TopicHostTracker Tracker { get; }

    /// <summary>Starts everything and returns once messages flow end to end and the topic's host is known.</summary>
    public static async Task<FaultWorkload> StartAsync(PubSubNode client, BrokerCluster cluster, string scenario, ITestOutputHelper output,
        string? connectionString = null)
    {
        var topic = $"faults-{scenario}-{Guid.NewGuid():N}";
        var ledger = new MessageLedger();
        var subscription = await client.Client.SubscribeAsync<string>(topic, Subscription, (d, _) =>
        {
            ledger.Delivered(MessageKey.Parse(d.MessageId ?? d.Message), d.Sequence, d.Attempt);
            return Task.CompletedTask;
        }, new SubscriptionOptions { OrderedByKey = true, AckDeadline = AckDeadline });
        var tracker = new TopicHostTracker(client.Client, topic, ledger, cluster.NameOf);
        ledger.CurrentNode = () => tracker.Current is { } node ? cluster.NameOf(node) : "?";
        var membership = new MembershipTimeline(client.System, ledger, cluster.NameOf);
        var workload = new FaultWorkload(topic, ledger, tracker, membership, subscription,
            new KeyedPublisher(client.Client, topic, ledger, Keys, Interval), output) { ConnectionString = connectionString };
        await workload.WaitForTrafficAsync(since: 0, messages: WarmUpMessages, BrokerCluster.StartDeadline, "the workload warmed up");
        await tracker.WaitForHostAsync(BrokerCluster.StartDeadline);
        return workload;
    }

    /// <summary>
    /// Waits until <paramref name="messages"/> messages published after <paramref name="since"/> were delivered: traffic
    /// flows end to end again. Fails at the deadline with the figures so far.
    /// </summary>
    public async Task WaitForTrafficAsync(double since, int messages, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (Ledger.DeliveredOfPublishedSince(since) < messages)
        {
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException(
                    $"Timed out after {within.TotalSeconds:0} s waiting until {what} ({messages} messages published after {since:0.0} s delivered; "
                    + $"{Ledger.DeliveredOfPublishedSince(since)} were). So far:\n{Figures(what)}"
                    + (ConnectionString is null ? "" : await PostgreSqlActivity.DescribeAsync(ConnectionString)));
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Stops publishing, waits until every confirmed message was delivered (or <paramref name="drain"/> passed), prints
    /// the figures and returns them.
    /// </summary>
    public async Task<FaultFigures> StopAndCheckAsync(string scenario, TimeSpan drain)
    {
        await _publisher.StopAsync();
        var deadline = DateTime.UtcNow + drain;
        while (Figures(scenario).Lost.Count > 0 && DateTime.UtcNow < deadline) await Task.Delay(200);
        var figures = Figures(scenario);
        _output.WriteLine(figures.ToString());
        await AppendToReportAsync(figures.ToString());
        return figures;
    }

    /// <summary>Appends <paramref name="text"/> (a test's figures) to the report CI prints, when there is one.</summary>
    public static async Task AppendToReportAsync(string text)
    {
        if (Environment.GetEnvironmentVariable(ReportVariable) is { Length: > 0 } report)
            await File.AppendAllTextAsync(report, text + Environment.NewLine);
    }

    public FaultFigures Figures(string scenario) =>
        FaultFigures.Compute(scenario, Ledger, Tracker.Describe(),
            _membership.Describe(since: Ledger.Faults.Select(f => f.At).DefaultIfEmpty(0).Min()));

    public async ValueTask DisposeAsync()
    {
        await _publisher.DisposeAsync();
        await Tracker.DisposeAsync();
        await _membership.DisposeAsync();
        await _subscription.DisposeAsync();
    }
}
