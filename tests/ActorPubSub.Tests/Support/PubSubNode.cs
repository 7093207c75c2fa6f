using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Topics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Support;

/// <summary>
/// A real ActorPubSub node in the test process: a Generic Host with Akka.Hosting, WithActorPubSub, a real
/// SQLite (or PostgreSQL) journal, remoting on loopback and a cluster. Started when the cluster member is Up.
/// </summary>
public sealed class PubSubNode : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    private PubSubNode(IHost host)
    {
        _host = host;
        System = host.Services.GetRequiredService<ActorSystem>();
        Client = host.Services.GetRequiredService<IPubSub>();
        Region = ActorRegistry.For(System).Get<TopicRegion>();
    }

    public ActorSystem System { get; }
    public IPubSub Client { get; }
    public IActorRef Region { get; }
    public Address Address => Cluster.Get(System).SelfAddress;

    /// <summary>
    /// Starts a node; <paramref name="configure"/> adds to the Akka builder (e.g. remoting and seeds),
    /// <paramref name="services"/> to the host's services (e.g. a logger provider).
    /// </summary>
    public static async Task<PubSubNode> StartAsync(PubSubOptions options, Action<AkkaConfigurationBuilder>? configure = null,
        string systemName = "pubsub", bool waitForUp = true, Action<IServiceCollection>? services = null)
    {
        var host = new HostBuilder()
            .ConfigureServices(services =>
            {
                services.AddAkka(systemName, (builder, _) =>
                {
                    builder.AddHocon("akka.loglevel = INFO\nakka.coordinated-shutdown.exit-clr = off\nakka.coordinated-shutdown.terminate-actor-system = on",
                        HoconAddMode.Prepend);
                    builder.WithActorPubSub(options);
                    configure?.Invoke(builder);
                });
                services.AddPubSubClient();
            })
            .ConfigureServices(more => services?.Invoke(more))
            .Build();
        await host.StartAsync();
        var node = new PubSubNode(host);
        if (waitForUp) await node.WaitUntilUpAsync();
        return node;
    }

    /// <summary>
    /// Starts a cluster node on a free loopback port that joins <paramref name="seed"/> (or forms a cluster
    /// when null). The port is chosen by the OS (port 0), so parallel tests never clash. A node with
    /// <see cref="PubSubOptions.HostTopics"/> false is a client member: it names the topic nodes' role but has none.
    /// </summary>
    public static Task<PubSubNode> StartClusterNodeAsync(PubSubOptions options, Address? seed, string systemName = "pubsub",
        Action<IServiceCollection>? services = null)
    {
        options.StandaloneCluster = false;
        return StartAsync(options, builder =>
        {
            builder.WithRemoting("127.0.0.1", 0);
            builder.WithClustering(new ClusterOptions { Roles = options.Role is null || options.HostTopics == false ? [] : [options.Role] });
            builder.AddStartup((system, _) =>
            {
                var cluster = Cluster.Get(system);
                cluster.Join(seed ?? cluster.SelfAddress);
            });
        }, systemName, services: services);
    }

    /// <summary>
    /// Starts a client member (no topics) of the cluster whose seed node is <paramref name="seed"/>, e.g. a lighthouse
    /// or a node run as a process: remoting on <paramref name="hostname"/> and a free port, the topic nodes'
    /// <paramref name="role"/>, and <paramref name="hocon"/> before everything else.
    /// </summary>
    public static Task<PubSubNode> StartClientAsync(string seed, PubSubOptions options, string systemName, string role = "actorpubsub",
        string hostname = "127.0.0.1", string? hocon = null)
    {
        options.StandaloneCluster = false;
        options.HostTopics = false;
        options.Role = role;
        return StartAsync(options, builder =>
        {
            builder.WithRemoting(hostname, 0).WithClustering(new ClusterOptions { SeedNodes = [seed] });
            if (hocon is not null) builder.AddHocon(hocon, HoconAddMode.Prepend);
        }, systemName);
    }

    public Task WaitUntilUpAsync()
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Cluster.Get(System).RegisterOnMemberUp(() => up.TrySetResult());
        return up.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Graceful stop: CoordinatedShutdown (leave the cluster, hand off shards, flush topics).</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await _host.StopAsync(TimeSpan.FromSeconds(30));
        await System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// Abrupt stop, as a crash looks to the other members: the ActorSystem terminates without leaving the cluster or
    /// handing anything off. Needs <see cref="AbruptTerminationHocon"/> in the node's settings (else terminating runs
    /// CoordinatedShutdown, a graceful leave). The other members see the node unreachable until their Split Brain
    /// Resolver downs it.
    /// </summary>
    public async Task AbortAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await System.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Settings under which <see cref="AbortAsync"/> is abrupt; <see cref="StopAsync"/> stays graceful (the host runs CoordinatedShutdown itself).</summary>
    public const string AbruptTerminationHocon = "akka.coordinated-shutdown.run-by-actor-system-terminate = off";

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }
}
