using Akka;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using ActorPubSub.Memory;
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
        return builder.WithClustering(new ClusterOptions
        {
            SeedNodes = settings.SeedNodes,
            Roles = [settings.Role],
        });
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
