using Akka.Cluster;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support.Stores;
using Microsoft.Extensions.DependencyInjection;

namespace ActorPubSub.Tests.Support;

/// <summary>
/// An ActorPubSub cluster in the test process, started by one call (like nats-server's
/// <c>createJetStreamClusterExplicit</c>): <c>n</c> real ActorSystems on loopback ports the OS picks, joined through
/// the first, each hosting topics (role <see cref="Role"/>), plus client members that host none, all persisting in one
/// <see cref="TestStore"/> of their own. Started once every member sees every member Up; disposing stops the members
/// gracefully (clients first) and deletes the store. Nodes of one process may share a SQLite file (a topic has one
/// writer at a time); PostgreSQL gets a fresh database per cluster.
/// </summary>
public sealed class PubSubCluster : IAsyncDisposable
{
    public const string Role = "actorpubsub";

    /// <summary>Bounds the wait for every member to see every member Up.</summary>
    public static readonly TimeSpan UpDeadline = TimeSpan.FromSeconds(30);

    private readonly List<PubSubNode> _nodes = [];
    private readonly List<PubSubNode> _clients = [];

    private PubSubCluster(TestStore store) => Store = store;

    public TestStore Store { get; }

    /// <summary>The members that host topics, the seed first.</summary>
    public IReadOnlyList<PubSubNode> Nodes => _nodes;

    /// <summary>The members that host no topics (they reach them through a shard region proxy).</summary>
    public IReadOnlyList<PubSubNode> Clients => _clients;

    public IEnumerable<PubSubNode> Members => _nodes.Concat(_clients);

    /// <summary>
    /// Starts <paramref name="nodes"/> topic nodes and <paramref name="clients"/> client members on a new
    /// <paramref name="store"/>. <paramref name="configure"/> adjusts each member's options (after the cluster's
    /// defaults: a consumer renews every 500 ms, a publisher resends after 1 s, so a moved topic is found soon);
    /// <paramref name="services"/> adds to member <c>i</c>'s services (nodes 0..n-1, then the clients).
    /// </summary>
    public static async Task<PubSubCluster> StartAsync(int nodes, StoreKind store = StoreKind.Sqlite, int clients = 0,
        Action<PubSubOptions>? configure = null, Action<int, IServiceCollection>? services = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        var cluster = new PubSubCluster(await TestStore.CreateAsync(store));
        try
        {
            PubSubOptions Options(bool hostTopics)
            {
                var options = cluster.Store.Apply(new PubSubOptions
                {
                    Role = Role,
                    HostTopics = hostTopics,
                    ConsumerRenewInterval = TimeSpan.FromMilliseconds(500),
                    PublishResendAfter = TimeSpan.FromSeconds(1),
                    // On SQLite every node of this process uses the store's one file, so a moved topic finds its journal.
                    AllowSqliteInCluster = true,
                });
                configure?.Invoke(options);
                return options;
            }
            Task<PubSubNode> Start(int member, Akka.Actor.Address? seed) =>
                PubSubNode.StartClusterNodeAsync(Options(hostTopics: member < nodes), seed,
                    services: services is null ? null : s => services(member, s));

            var first = await Start(0, seed: null);
            cluster._nodes.Add(first);
            var others = await Task.WhenAll(Enumerable.Range(1, nodes + clients - 1).Select(m => Start(m, first.Address)));
            cluster._nodes.AddRange(others.Take(nodes - 1));
            cluster._clients.AddRange(others.Skip(nodes - 1));
            var count = nodes + clients;
            await Eventually.HoldsAsync(
                () => cluster.Members.All(n => Cluster.Get(n.System).State.Members.Count(m => m.Status == MemberStatus.Up) == count),
                $"all {count} members see {count} members Up", UpDeadline);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The member at <paramref name="address"/> (as <c>TopicInfo.Node</c> names it).</summary>
    public PubSubNode NodeAt(string address) =>
        Members.SingleOrDefault(n => n.Address.ToString() == address)
        ?? throw new Xunit.Sdk.XunitException($"{address} is no member of the cluster.");

    /// <summary>The node that hosts <paramref name="topic"/> (asking for it starts the topic when it is not running).</summary>
    public async Task<PubSubNode> HostOfAsync(string topic) => NodeAt((await _nodes[0].Client.GetTopicInfoAsync(topic)).Node);

    public async ValueTask DisposeAsync()
    {
        foreach (var member in _clients.Concat(_nodes)) await member.DisposeAsync();
        await Store.DisposeAsync();
    }
}
