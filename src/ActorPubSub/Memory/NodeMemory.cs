using Akka.Actor;
using ActorPubSub.Settings;

namespace ActorPubSub.Memory;

/// <summary>
/// The memory budget of a node (<c>actorpubsub.memory-budget</c>), shared by every topic's hot window and read-back
/// pages: each live topic holds at most an equal share of it (and at most <c>topic.log.window-bytes</c>), and what
/// they hold is counted here. A topic that started makes the others' shares smaller at their next write or
/// housekeeping round. Messages behind the windows are read back from the journal, so a
/// backlog costs disk, not memory. Thread-safe: topics on many threads count into one node-wide figure.
/// </summary>
public sealed class NodeMemory : IExtension
{
    private long _used;
    private int _holders;

    public NodeMemory(long budget, string source)
    {
        if (budget <= 0) throw new ArgumentOutOfRangeException(nameof(budget), budget, "The memory budget must be positive.");
        Budget = budget;
        Source = source;
    }

    /// <summary>The node's memory of ActorSystem <paramref name="system"/> (one per system).</summary>
    public static NodeMemory For(ActorSystem system) => system.WithExtension<NodeMemory, NodeMemoryProvider>();

    public long Budget { get; }

    /// <summary>Where the budget came from (the setting, or the container's limit).</summary>
    public string Source { get; }

    /// <summary>Bytes held by every holder, estimated.</summary>
    public long Used => Volatile.Read(ref _used);

    /// <summary>Holders counted (live topics).</summary>
    public int Holders => Volatile.Read(ref _holders);

    /// <summary>An equal share of the budget.</summary>
    public long Share => Budget / Math.Max(1, Holders);

    public void Join() => Interlocked.Increment(ref _holders);

    public void Leave() => Interlocked.Decrement(ref _holders);

    /// <summary>Counts <paramref name="bytes"/> more (or fewer, when negative) held.</summary>
    public void Add(long bytes)
    {
        if (bytes != 0) Interlocked.Add(ref _used, bytes);
    }
}

/// <summary>Creates a system's <see cref="NodeMemory"/> from its settings.</summary>
public sealed class NodeMemoryProvider : ExtensionIdProvider<NodeMemory>
{
    public override NodeMemory CreateExtension(ExtendedActorSystem system)
    {
        var settings = MemoryBudgetSettings.Create(SettingsReader.RootOf(system));
        return new NodeMemory(settings.Bytes, settings.Source);
    }
}
