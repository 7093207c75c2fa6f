using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using ActorPubSub.Tests.Support.Stores;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;
using TestKit = Akka.TestKit.Xunit2.TestKit;

namespace ActorPubSub.Tests.Delivery;

/// <summary>
/// Base of the delivery specs: one embedded node on a SQLite file of its own, which a test can stop and start
/// again on the same file (what survives a restart is recovered from that file's journal and snapshots).
/// </summary>
public abstract class RestartableNodeSpec : IAsyncLifetime
{
    private readonly SqliteStore _store = new();
    private PubSubOptions? _options;

    /// <summary>The running node (a new one after <see cref="RestartNodeAsync"/>).</summary>
    protected PubSubNode Node { get; private set; } = null!;

    /// <summary>TestKit on the running node's ActorSystem, for probes of the actor protocol.</summary>
    protected TestKit Kit { get; private set; } = null!;

    /// <summary>The node's options; <see cref="PubSubOptions.SqliteFile"/> is set to the spec's own file.</summary>
    protected virtual PubSubOptions Options => new();

    public Task InitializeAsync() => StartNodeAsync();

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        await _store.DisposeAsync();
    }

    /// <summary>
    /// Graceful stop (the topics flush their writes), then a new node on the same database, with
    /// <paramref name="options"/> from now on when given (a test that needs other settings from the start
    /// restarts before it creates anything).
    /// </summary>
    protected async Task RestartNodeAsync(PubSubOptions? options = null)
    {
        await Node.DisposeAsync();
        if (options is not null) _options = options;
        await StartNodeAsync();
    }

    /// <summary>Runs a scalar query (a count, a MAX) against the node's SQLite file; NULL reads as 0.</summary>
    protected Task<long> QueryAsync(string sql) => _store.QueryAsync(sql);

    private async Task StartNodeAsync()
    {
        Node = await PubSubNode.StartAsync(_store.Apply(_options ??= Options));
        Kit = new TestKit(Node.System);
    }
}
