using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Bench;

/// <summary>
/// The system under test: one embedded node (publisher, topics and consumers in one ActorSystem), or with
/// --remote-client a broker node hosting the topics plus a client node (no topics) that publishes and
/// consumes over Akka.Remote on loopback, or with --cluster-client that client as no cluster member (ClusterClient).
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    private readonly List<IHost> _hosts;
    private readonly string? _sqliteFile;

    private readonly bool _clusterClient;
    private NodeProcess? _node;
    private string? _nodeDirectory;

    private BenchCluster(List<IHost> hosts, string? sqliteFile, bool clusterClient = false)
    {
        _clusterClient = clusterClient;
        _hosts = hosts;
        _sqliteFile = sqliteFile;
        var client = hosts[^1].Services;
        Client = client.GetRequiredService<IPubSub>();
        ClientSystem = client.GetRequiredService<ActorSystem>();
    }

    public IPubSub Client { get; }
    public ActorSystem ClientSystem { get; }
    public ActorSystem BrokerSystem => _hosts[0].Services.GetRequiredService<ActorSystem>();

    /// <param name="productDefaults">
    /// True: the node runs with the product's defaults (only the store and the topology set), without the benchmark's
    /// own tuning below (consumer window, resend time, transient window).
    /// </param>
    public static async Task<BenchCluster> StartAsync(BenchOptions o, string? sqliteFile = null, TimeSpan? topicIdleTimeout = null,
        string? extraHocon = null, bool productDefaults = false)
    {
        if (o.NodeProcess) return await StartWithNodeProcessAsync(o);
        sqliteFile ??= o.Postgres is null ? Path.Combine(Path.GetTempPath(), $"actorpubsub-bench-{Guid.NewGuid():N}.db") : null;
        PubSubOptions Options(bool hostTopics) => productDefaults ? new()
        {
            SqliteFile = sqliteFile,
            PostgreSqlConnectionString = o.Postgres,
            SqliteSynchronous = o.SqliteNormal ? SqliteSynchronous.Normal : SqliteSynchronous.Full,
            DeliverBeforeSync = o.DeliverBeforeSync,
            StandaloneCluster = !o.TwoSystems,
            HostTopics = hostTopics,
            // The broker is the only topic node (the remote client hosts none).
            AllowSqliteInCluster = true,
            Role = o.TwoSystems ? "actorpubsub" : null,
            AcceptClusterClients = o.ClusterClient ? true : null,
            TopicIdleTimeout = topicIdleTimeout,
            ExtraHocon = extraHocon,
            RemoteTransport = o.RemoteTransport,
            PublishStraightToTopic = o.PublishStraightToTopic,
            DirectDispatch = o.DirectDispatch,
            DirectSend = o.DirectSend,
        } : new()
        {
            SqliteFile = sqliteFile,
            PostgreSqlConnectionString = o.Postgres,
            SqliteSynchronous = o.SqliteNormal ? SqliteSynchronous.Normal : SqliteSynchronous.Full,
            DeliverBeforeSync = o.DeliverBeforeSync,
            ConsumerMaxInFlight = o.MaxInFlight,
            StandaloneCluster = !o.TwoSystems,
            HostTopics = hostTopics,
            // The broker is the only topic node (the remote client hosts none).
            AllowSqliteInCluster = true,
            // A client node reaches topics by their nodes' role (and must not have it itself).
            Role = o.TwoSystems ? "actorpubsub" : null,
            AcceptClusterClients = o.ClusterClient ? true : null,
            TopicIdleTimeout = topicIdleTimeout,
            // The benchmark holds many publishes in flight on a loaded machine: resend later than usual.
            PublishResendAfter = TimeSpan.FromSeconds(10),
            RemoteTransport = o.RemoteTransport,
            PublishStraightToTopic = o.PublishStraightToTopic,
            DirectDispatch = o.DirectDispatch,
            DirectSend = o.DirectSend,
            // W3 compares with the mediator, whose mailboxes are unbounded: by default the benchmark lets a
            // consumer fall a whole run behind instead of dropping (the product default is 10,000).
            ExtraHocon = $"actorpubsub.topic.transient-window = {o.TransientWindow ?? 2_000_000}\n" + extraHocon,
        };

        var broker = await StartHostAsync(Options(hostTopics: true), seed: null, o.TwoSystems);
        var hosts = new List<IHost> { broker };
        if (o.ClusterClient)
        {
            await WaitUpAsync(broker.Services.GetRequiredService<ActorSystem>());
            var address = Akka.Cluster.Cluster.Get(broker.Services.GetRequiredService<ActorSystem>()).SelfAddress;
            hosts.Add(await StartClusterClientHostAsync(new PubSubClientOptions
            {
                ContactPoints = [address.ToString()],
                ConsumerMaxInFlight = productDefaults ? null : o.MaxInFlight,
                PublishResendAfter = productDefaults ? null : TimeSpan.FromSeconds(10),
                RemoteTransport = o.RemoteTransport,
                PublishStraightToTopic = o.PublishStraightToTopic,
            DirectDispatch = o.DirectDispatch,
            DirectSend = o.DirectSend,
            }));
            return new BenchCluster(hosts, sqliteFile, clusterClient: true);
        }
        if (o.RemoteClient)
        {
            var seed = Akka.Cluster.Cluster.Get(broker.Services.GetRequiredService<ActorSystem>()).SelfAddress;
            hosts.Add(await StartHostAsync(Options(hostTopics: false), seed, remote: true));
        }
        foreach (var host in hosts) await WaitUpAsync(host.Services.GetRequiredService<ActorSystem>());
        return new BenchCluster(hosts, sqliteFile);
    }

    /// <summary>
    /// The shipped node in a process of its own (its defaults; a free remoting port, a free web port, a fresh SQLite file
    /// or the given PostgreSQL), and this process as its client: a member that hosts no topics, or with --cluster-client
    /// a non-member. The client runs with the product's defaults.
    /// </summary>
    private static async Task<BenchCluster> StartWithNodeProcessAsync(BenchOptions o)
    {
        var directory = Directory.CreateTempSubdirectory("actorpubsub-bench-node-").FullName;
        var settings = new Dictionary<string, string> { ["HttpAddress"] = "127.0.0.1:0" };
        if (o.Postgres is not null) settings["PostgreSqlConnectionString"] = o.Postgres;
        else settings["SqliteFile"] = Path.Combine(directory, "actorpubsub.db");
        // The node's own setting (Node:SqliteSynchronous), as a user would set it; unset, the node's default (full).
        if (o.SqliteNormal) settings["SqliteSynchronous"] = "normal";
        if (o.RemoteTransport is { } transport) settings["RemoteTransport"] = transport.ToString();
        if (o.DirectDispatch is { } direct) settings["DirectDispatch"] = direct ? "true" : "false";
        if (o.DirectSend is { } directSend) settings["DirectSend"] = directSend ? "true" : "false";
        if (o.DeliverBeforeSync is { } early) settings["DeliverBeforeSync"] = early ? "true" : "false";
        var node = NodeProcess.Start(settings, o.NodeEnvironment, directory);
        try
        {
            var address = await node.UpAddressAsync(TimeSpan.FromSeconds(120));
            IHost client;
            if (o.ClusterClient)
            {
                client = await StartClusterClientHostAsync(new PubSubClientOptions { ContactPoints = [address], RemoteTransport = o.RemoteTransport, PublishStraightToTopic = o.PublishStraightToTopic, DirectDispatch = o.DirectDispatch, DirectSend = o.DirectSend });
            }
            else
            {
                // A member client reaches the topics on the node's role and hosts none; it joins the node's ActorSystem name.
                var system = Akka.Actor.Address.Parse(address);
                client = await StartHostAsync(new PubSubOptions
                {
                    StandaloneCluster = false,
                    HostTopics = false,
                    Role = "actorpubsub",
                    SqliteFile = Path.Combine(directory, "client.db"),
                    RemoteTransport = o.RemoteTransport,
                    PublishStraightToTopic = o.PublishStraightToTopic,
            DirectDispatch = o.DirectDispatch,
            DirectSend = o.DirectSend,
                }, system, remote: true, systemName: system.System);
                await WaitUpAsync(client.Services.GetRequiredService<ActorSystem>());
            }
            return new BenchCluster([client], sqliteFile: null, o.ClusterClient) { _node = node, _nodeDirectory = directory };
        }
        catch
        {
            await node.DisposeAsync();
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    private static async Task<IHost> StartHostAsync(PubSubOptions options, Akka.Actor.Address? seed, bool remote, string systemName = "bench")
    {
        var host = new HostBuilder()
            .ConfigureServices(services =>
            {
                services.AddAkka(systemName, (builder, _) =>
                {
                    builder.AddHocon($"akka.loglevel = {Environment.GetEnvironmentVariable("ACTORPUBSUB_BENCH_LOGLEVEL") ?? "WARNING"}\nakka.coordinated-shutdown.exit-clr = off", HoconAddMode.Prepend);
                    builder.WithActorPubSub(options);
                    if (!remote) return;
                    builder.WithRemoting("127.0.0.1", 0);
                    builder.WithClustering(new ClusterOptions { Roles = options.HostTopics == false ? [] : ["actorpubsub"] });
                    builder.AddStartup((system, _) =>
                    {
                        var cluster = Akka.Cluster.Cluster.Get(system);
                        cluster.Join(seed ?? cluster.SelfAddress);
                    });
                });
                services.AddPubSubClient();
            })
            .Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>A client that is no cluster member: ClusterClient to the broker's receptionist.</summary>
    private static async Task<IHost> StartClusterClientHostAsync(PubSubClientOptions options)
    {
        var host = new HostBuilder()
            .ConfigureServices(services =>
            {
                services.AddAkka("bench-client", (builder, _) =>
                {
                    builder.AddHocon($"akka.loglevel = {Environment.GetEnvironmentVariable("ACTORPUBSUB_BENCH_LOGLEVEL") ?? "WARNING"}\nakka.coordinated-shutdown.exit-clr = off", HoconAddMode.Prepend);
                    builder.WithActorPubSubClient(options);
                });
                services.AddPubSubClient();
            })
            .Build();
        await host.StartAsync();
        return host;
    }

    private static Task WaitUpAsync(ActorSystem system)
    {
        var up = new TaskCompletionSource();
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        return up.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public string Topology => _node is not null
        ? _clusterClient ? "node-process-cluster-client" : "node-process"
        : _clusterClient ? "cluster-client" : _hosts.Count > 1 ? "remote-client" : "embedded";

    /// <summary>The node's OS process (with --node-process), for its CPU time.</summary>
    public int? NodeProcessId => _node?.Id;

    /// <summary>Stops every node gracefully; the SQLite file stays for a restart unless <paramref name="deleteData"/>.</summary>
    public async Task StopAsync(bool deleteData)
    {
        for (var i = _hosts.Count - 1; i >= 0; i--)
        {
            await _hosts[i].StopAsync();
            _hosts[i].Dispose();
        }
        _hosts.Clear();
        if (_node is not null)
        {
            // killed, not stopped: the benchmark is done with it, and nothing of it is kept
            await _node.DisposeAsync();
            _node = null;
            Directory.Delete(_nodeDirectory!, recursive: true);
        }
        if (deleteData && _sqliteFile is not null)
            foreach (var f in new[] { _sqliteFile, _sqliteFile + "-wal", _sqliteFile + "-shm" })
                File.Delete(f);
    }

    public string? SqliteFile => _sqliteFile;

    public ValueTask DisposeAsync() => new(StopAsync(deleteData: true));
}
