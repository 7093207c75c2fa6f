using Akka;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Event;
using Akka.Hosting;
using Akka.Remote.Hosting;
using ActorPubSub.Memory;
using ActorPubSub.Node.Health;
using ActorPubSub.Node.Membership;
using ActorPubSub.Server.Security;
using ActorPubSub.Server.Startup;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorPubSub.Node;

/// <summary>The node's additions to the Akka builder, next to the library's <c>WithActorPubSub</c>.</summary>
public static class NodeHostingExtensions
{
    /// <summary>Routes Akka's log through Microsoft.Extensions.Logging, so the node has one log format.</summary>
    public static AkkaConfigurationBuilder WithNodeLogging(this AkkaConfigurationBuilder builder) =>
        builder.ConfigureLoggers(loggers =>
        {
            loggers.ClearLoggers();
            loggers.AddLoggerFactory();
        });

    /// <summary>
    /// Remoting on the configured address and, with seed nodes, Akka.Cluster joining them. Call after
    /// <c>WithActorPubSub</c>: remoting HOCON added later takes precedence, so in standalone mode the node's
    /// Hostname/Port replace the library's 127.0.0.1:0 (which are also the node's defaults).
    /// </summary>
    public static AkkaConfigurationBuilder WithNodeCluster(this AkkaConfigurationBuilder builder, NodeSettings settings)
    {
        var remoting = new RemoteOptions { HostName = settings.BindHostname, Port = settings.Port ?? 0, PublicHostName = settings.AdvertisedHostname };
        builder.WithRemoting(settings.RemotingTls?.Apply(remoting) ?? remoting);
        builder.AddHocon(PortCheck.ExclusiveRemotingHocon, HoconAddMode.Prepend);
        // Rendered here, not through ClusterOptions, so that stable-after and "off" can be set too.
        builder.AddHocon(settings.SplitBrain.ToHocon(), HoconAddMode.Prepend);
        if (settings.IsStandalone) return builder;
        // No seed nodes in the configuration: the node joins them itself once its journal answers (below).
        builder.WithClustering(new ClusterOptions { Roles = [settings.Role] });
        // Not awaited: the host (web server, health endpoints) starts meanwhile and reports the node not ready.
        return builder.AddStartup((system, _) => { var joining = JoinWhenJournalAnswersAsync(system, settings.SeedNodes.Select(Address.Parse).ToList()); });
    }

    /// <summary>
    /// Joins the seed nodes once the journal answers a query. A broker that cannot reach the database would be given
    /// topics it cannot serve (the shard coordinator places shards on every Up member of the role); so a broker restarted
    /// after it left for a database outage (<see cref="NodeSettings.JournalOutageLeaveAfter"/>), or started while the
    /// database is down, stays out of the cluster (not ready) until the database is reachable.
    /// </summary>
    private static async Task JoinWhenJournalAnswersAsync(ActorSystem system, IReadOnlyList<Address> seeds)
    {
        var waitedSince = (DateTime?)null;
        while (!system.WhenTerminated.IsCompleted)
        {
            if (await JournalProbe.FailureAsync(system, JoinProbeTimeout) is not { } failure) break;
            if (waitedSince is null)
                system.Log.Warning("Not joining the cluster yet: {0}. Joining once the journal answers.", failure);
            waitedSince ??= DateTime.UtcNow;
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        if (system.WhenTerminated.IsCompleted) return;
        if (waitedSince is { } since)
            system.Log.Info("The journal answers after {0:0} s: joining the cluster", (DateTime.UtcNow - since).TotalSeconds);
        Cluster.Get(system).JoinSeedNodes(seeds);
    }

    private static readonly TimeSpan JoinProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Starts the journal watchdog of a cluster node (<see cref="NodeSettings.JournalOutageLeaveAfter"/>): when it finds
    /// this broker alone in losing the database, the node logs why, records exit code
    /// <see cref="NodeExit.JournalUnreachable"/> and leaves the cluster: its shards are handed off to the healthy brokers.
    /// </summary>
    public static AkkaConfigurationBuilder WithJournalWatchdog(this AkkaConfigurationBuilder builder, NodeSettings settings,
        IServiceProvider services)
    {
        if (settings.JournalWatchdog is not { } watchdog) return builder;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(NodeLog.Category);
        var exit = services.GetRequiredService<NodeExit>();
        return builder.AddStartup((system, _) => system.ActorOf(JournalWatchdog.Props(watchdog, why =>
        {
            NodeLog.LeavingForJournalOutage(logger, why, NodeExit.JournalUnreachable);
            exit.Set(NodeExit.JournalUnreachable);
            // A graceful leave, not a self-down: a downed member is removed only once the others' failure detectors
            // find it unreachable (seconds after it stopped), a leaving one as soon as its shards are handed off (the
            // watchdog stops the topics that would hold the hand-off on their last write).
            CoordinatedShutdown.Get(system).Run(JournalUnreachableReason.Instance);
        }), JournalWatchdog.Name));
    }

    /// <summary>
    /// A standalone node on SQLite (without <see cref="NodeSettings.AllowSqliteInCluster"/>) downs a broker that joins it
    /// (<see cref="StandaloneJoinGuard"/>); a cluster node that such a node refuses stops with one line on stderr and
    /// exit code <see cref="NodeExit.Refused"/> (<see cref="JoinRefusal"/>).
    /// </summary>
    public static AkkaConfigurationBuilder WithJoinChecks(this AkkaConfigurationBuilder builder, NodeSettings settings,
        IServiceProvider services)
    {
        if (settings.IsStandalone)
        {
            if (settings.SqlitePath is null || settings.AllowSqliteInCluster) return builder;
            return builder.AddStartup((system, _) =>
                system.ActorOf(StandaloneJoinGuard.Props(settings.Role, settings.StorageDescription), StandaloneJoinGuard.Name));
        }
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(NodeLog.Category);
        var exit = services.GetRequiredService<NodeExit>();
        var seeds = settings.SeedNodes.Select(Address.Parse).ToList();
        return builder.AddStartup((system, _) => system.ActorOf(JoinRefusal.Props(seeds, why =>
        {
            NodeLog.JoinRefused(logger, why, NodeExit.Refused);
            Console.Error.WriteLine($"ActorPubSub.Node: refused by the cluster it joined: {why}");
            exit.Set(NodeExit.Refused);
            CoordinatedShutdown.Get(system).Run(new JoinRefusedReason(why));
        }), JoinRefusal.Name));
    }

    /// <summary>Logs where the node listens once it started, when it is Up, and when it stops.</summary>
    public static AkkaConfigurationBuilder WithNodeLifecycleLog(this AkkaConfigurationBuilder builder, NodeSettings settings,
        IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(NodeLog.Category);
        // After the Akka hosted service stopped (CoordinatedShutdown ran to its end) and before the host disposes the
        // loggers; a continuation of WhenTerminated would race with that disposal.
        services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(() => NodeLog.Stopped(logger));
        return builder.AddStartup((system, _) =>
        {
            var cluster = Cluster.Get(system);
            var address = cluster.SelfAddress.ToString();
            var mode = settings.IsStandalone
                ? "standalone (one-node cluster)"
                : $"cluster (seed nodes {string.Join(", ", settings.SeedNodes)})";
            NodeLog.Listening(logger, address, settings.BindHostname, settings.StorageDescription, mode, settings.SplitBrain.ToString());
            if (!settings.IsStandalone && settings.SqlitePath is not null) NodeLog.SqliteInCluster(logger, settings.StorageDescription);
            if (settings.RemotingTls is { } tls) RemotingTlsLog.Enabled(logger, tls.ToString());
            // Checked before start (NodeSettings.Validate); read again here from the system's own configuration.
            var budget = MemoryBudgetSettings.Create(system.Settings.Config.GetConfig("actorpubsub"));
            NodeLog.MemoryBudget(logger, budget.Size, budget.Bytes, budget.Source);
            NodeLog.Runtime(logger, NodeRuntime.Describe());

            cluster.RegisterOnMemberUp(() => NodeLog.MemberUp(logger, address));
            var shutdown = CoordinatedShutdown.Get(system);
            shutdown.AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "actorpubsub-node-log", () =>
            {
                NodeLog.Stopping(logger, shutdown.ShutdownReason?.ToString() ?? "unknown");
                return Task.FromResult(Done.Instance);
            });
        });
    }
}
