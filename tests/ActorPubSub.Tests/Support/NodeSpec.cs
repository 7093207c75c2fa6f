using ActorPubSub.Hosting;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;
using TestKit = Akka.TestKit.Xunit2.TestKit;

namespace ActorPubSub.Tests.Support;

/// <summary>Base of the specs that run against one embedded node on a SQLite file of their own.</summary>
public abstract class NodeSpec : IAsyncLifetime
{
    private readonly TempDatabase _db = new();

    protected PubSubNode Node { get; private set; } = null!;

    /// <summary>TestKit on the node's ActorSystem, for probes of the actor protocol.</summary>
    protected TestKit Kit { get; private set; } = null!;

    /// <summary>The node's options; <see cref="PubSubOptions.SqliteFile"/> is set to the spec's own file.</summary>
    protected virtual PubSubOptions Options => new();

    public async Task InitializeAsync()
    {
        var options = Options;
        options.SqliteFile = _db.File;
        Node = await PubSubNode.StartAsync(options);
        Kit = new TestKit(Node.System);
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        _db.Dispose();
    }
}
