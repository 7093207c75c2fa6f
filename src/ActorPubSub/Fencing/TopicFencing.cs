using System.Collections.Concurrent;
using Akka;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using ActorPubSub.Settings;

namespace ActorPubSub.Fencing;

/// <summary>
/// Keeps a topic live in one cluster at a time on one database (two clusters on one database happen when a downed side
/// restarts and forms a cluster of its own). A topic node holds a member lease in the database
/// (<see cref="MemberLeaseKeeper"/>); a topic, when it starts (after its recovery, before it takes any command), claims
/// its topic: it takes over at once from nobody, from itself, from a member of this node's cluster (a hand-off, a
/// rebalance, a restart within the cluster), or from a member whose lease lapsed or was released (crashed, downed and
/// gone, stopped). A member of another cluster with a fresh lease keeps the topic: this copy is fenced and refuses its
/// commands. Nothing is asked of the database on a publish's path.
/// </summary>
internal sealed class TopicFencing : IExtension
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    private readonly ActorSystem _system;
    private readonly LeaseStore? _store;
    private readonly Cluster _cluster;
    // Members this node saw removed from its cluster, with when (Environment.TickCount64). Kept for two lease TTLs only: by
    // then a removed member's lease has lapsed (it was downed and exited, or left), so the lease answers for it; and the
    // map does not grow with every client member that ever joined and left.
    private readonly ConcurrentDictionary<string, long> _removed = new();
    private long _renewedAt = long.MinValue;   // Environment.TickCount64 at the start of the last successful renewal
    private int _keeperStarted;
    // Writes of this member's lease row, one at a time: a renewal still running when the clean stop deletes the row would
    // write it again after the delete, and a cluster started next on the database would find this stopped member holding
    // its topics for a whole TTL. Once released, no renewal writes any more.
    private readonly SemaphoreSlim _leaseWrites = new(1, 1);
    private bool _released;

    public TopicFencing(ExtendedActorSystem system)
    {
        _system = system;
        Settings = FencingSettings.Create(SettingsReader.RootOf(system));
        _cluster = Cluster.Get(system);
        Member = Name(_cluster.SelfUniqueAddress);
        if (!Settings.Enabled) return;
        var plugin = system.Settings.Config.GetString("actorpubsub.journal-plugin-id", "akka.persistence.journal.actorpubsub");
        var provider = system.Settings.Config.GetString($"{plugin}.provider-name", "");
        var connection = system.Settings.Config.GetString($"{plugin}.connection-string", "");
        _store = string.IsNullOrEmpty(connection) ? null : LeaseStore.For(provider, connection);
        if (_store is null)
            system.Log.Warning("Topic fencing is off: the journal {0} has provider '{1}', which has no lease table (PostgreSQL and SQLite do)",
                plugin, provider);
    }

    public FencingSettings Settings { get; }

    /// <summary>This member as the database names it: its address and uid (a restarted process is another member).</summary>
    public string Member { get; }

    /// <summary>Whether topics claim at all (fencing on, and a database with lease tables).</summary>
    public bool IsActive => _store is not null;

    public static TopicFencing For(ActorSystem system) => system.WithExtension<TopicFencing, TopicFencingProvider>();

    /// <summary>
    /// Starts the member lease keeper (also done by the first claim): topic nodes start it with the host, so that it sees
    /// every member removed from the cluster from then on.
    /// </summary>
    public void Start(string topicEntities)
    {
        if (_store is not null) EnsureKeeper(topicEntities);
    }

    /// <summary>
    /// Claims <paramref name="topic"/> for this member (see the class). Starts the member lease keeper on first use, with
    /// <paramref name="topicEntities"/> the path of the node's topic actors (stopped when the lease may have lapsed).
    /// </summary>
    public async Task<ClaimResult> ClaimAsync(string topic, string topicEntities)
    {
        if (_store is not { } store) return new ClaimResult.Granted(null);
        EnsureKeeper(topicEntities);
        using var timeout = new CancellationTokenSource(CallTimeout);
        try
        {
            // The holder row must never name a member without a fresh lease of its own, or another cluster would take over at once.
            if (LeaseMayHaveLapsed(Environment.TickCount64) is not false)
            {
                var startedAt = Environment.TickCount64;
                if (!await WriteLeaseAsync(store, timeout.Token))
                    return new ClaimResult.Failed("this node is stopping (its member lease is released)");
                LeaseRenewed(startedAt);
            }
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var holder = await store.HolderAsync(topic, timeout.Token);
                if (holder is not null && holder.Member != Member && holder.LeaseFresh && !IsMemberOfThisCluster(holder.Member))
                    return new ClaimResult.Fenced(holder,
                        $"topic '{topic}' is live in another cluster on this database: its host {holder.Member} (no member of this " +
                        $"node's cluster) holds a member lease for {holder.LeaseLeft.TotalSeconds:0.0} s more. This copy refuses it until " +
                        "that lease lapses (its cluster stopped or lost the database). Two clusters on one database: make the restarted " +
                        "nodes join the surviving cluster (list its seed nodes) and stop the other one");
                if (await store.TakeAsync(topic, Member, holder?.Member, timeout.Token))
                    return new ClaimResult.Granted(holder?.Member == Member ? null : holder?.Member);
            }
            return new ClaimResult.Failed("other claims of the topic kept coming first");
        }
        catch (Exception e)
        {
            return new ClaimResult.Failed($"the database did not answer the topic's claim: {e.Message}");
        }
    }

    /// <summary>
    /// Deletes <paramref name="topic"/>'s holder row if this member holds it (see <c>TopicActor.StopNow</c>: only for a
    /// topic with an empty journal). A newer holder's row is left alone.
    /// </summary>
    public async Task ReleaseTopicAsync(string topic)
    {
        if (_store is not { } store) return;
        using var timeout = new CancellationTokenSource(CallTimeout);
        await store.ReleaseTopicAsync(topic, Member, timeout.Token);
    }

    internal Task RenewAsync() => _store is { } store ? RenewWithin(store) : Task.CompletedTask;

    private async Task RenewWithin(LeaseStore store)
    {
        using var timeout = new CancellationTokenSource(Settings.RenewInterval < CallTimeout ? Settings.RenewInterval : CallTimeout);
        await WriteLeaseAsync(store, timeout.Token);
    }

    /// <summary>Renews this member's lease unless it was released; false when released (nothing written).</summary>
    private async Task<bool> WriteLeaseAsync(LeaseStore store, CancellationToken ct)
    {
        await _leaseWrites.WaitAsync(ct);
        try
        {
            if (_released) return false;
            await store.RenewAsync(Member, _system.Name, Settings.LeaseTtl, ct);
            return true;
        }
        finally
        {
            _leaseWrites.Release();
        }
    }

    /// <summary>Deletes this member's lease once any renewal in progress has finished; no renewal writes it again.</summary>
    internal async Task ReleaseMemberLeaseAsync(CancellationToken ct)
    {
        if (_store is not { } store) return;
        await _leaseWrites.WaitAsync(ct);
        try
        {
            _released = true;
            await store.ReleaseAsync(Member, ct);
        }
        finally
        {
            _leaseWrites.Release();
        }
    }

    internal void LeaseRenewed(long startedAt)
    {
        long seen;
        do seen = Interlocked.Read(ref _renewedAt);
        while (startedAt > seen && Interlocked.CompareExchange(ref _renewedAt, startedAt, seen) != seen);
    }

    /// <summary>
    /// Whether the lease may have lapsed by <paramref name="now"/> (a TickCount64): a lifetime, less one renewal interval
    /// of margin, since the last successful renewal started (the database set its expiry later than that start). Null:
    /// never renewed.
    /// </summary>
    internal bool? LeaseMayHaveLapsed(long now)
    {
        var renewedAt = Interlocked.Read(ref _renewedAt);
        if (renewedAt == long.MinValue) return null;
        return now - renewedAt >= (long)(Settings.LeaseTtl - Settings.RenewInterval).TotalMilliseconds;
    }

    /// <summary>
    /// A member, or a former member this node saw removed: a member removed from this cluster was downed by it (the Split
    /// Brain Resolver's other side downs itself) or left, which is what Cluster.Sharding relies on to start its shards
    /// elsewhere; waiting out its lease (a crashed host's lasts up to a TTL) would only delay the failover.
    /// </summary>
    private bool IsMemberOfThisCluster(string member) =>
        _removed.ContainsKey(member) || _cluster.State.Members.Any(m => Name(m.UniqueAddress) == member);

    internal void Removed(UniqueAddress member)
    {
        var now = Environment.TickCount64;
        var keep = (long)(Settings.LeaseTtl * 2).TotalMilliseconds;
        foreach (var (name, removedAt) in _removed)
            if (now - removedAt > keep) _removed.TryRemove(name, out _);
        _removed[Name(member)] = now;
    }

    private static string Name(UniqueAddress member) => $"{member.Address}#{member.Uid}";

    private void EnsureKeeper(string topicEntities)
    {
        if (Interlocked.Exchange(ref _keeperStarted, 1) == 1) return;
        _system.ActorOf(MemberLeaseKeeper.Props(this, topicEntities), MemberLeaseKeeper.Name);
        // A clean stop releases the lease: another cluster on the database may take the topics over at once, not a TTL later.
        CoordinatedShutdown.Get(_system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "actorpubsub-release-member-lease",
            async () =>
            {
                try
                {
                    using var timeout = new CancellationTokenSource(CallTimeout);
                    await ReleaseMemberLeaseAsync(timeout.Token);
                }
                catch (Exception e)
                {
                    _system.Log.Warning("Could not release this node's member lease (it lapses in {0}): {1}", Settings.LeaseTtl, e.Message);
                }
                return Done.Instance;
            });
    }
}

/// <summary>Creates the <see cref="TopicFencing"/> extension.</summary>
internal sealed class TopicFencingProvider : ExtensionIdProvider<TopicFencing>
{
    public override TopicFencing CreateExtension(ExtendedActorSystem system) => new(system);
}
