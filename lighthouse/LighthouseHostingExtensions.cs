using Akka;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using ActorPubSub.Server.Security;
using ActorPubSub.Server.Startup;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorPubSub.Lighthouse;

/// <summary>The lighthouse's Akka set-up: remoting, the cluster with the lighthouse role, the Split Brain Resolver. Nothing else.</summary>
public static class LighthouseHostingExtensions
{
    public static AkkaConfigurationBuilder WithLighthouse(this AkkaConfigurationBuilder builder, LighthouseSettings settings,
        IServiceProvider services)
    {
        builder.ConfigureLoggers(loggers =>
        {
            loggers.ClearLoggers();
            loggers.AddLoggerFactory();
        });
        var remoting = new RemoteOptions { HostName = settings.BindHostname, Port = settings.Port, PublicHostName = settings.PublicHostname };
        builder.WithRemoting(settings.RemotingTls?.Apply(remoting) ?? remoting);
        builder.AddHocon(PortCheck.ExclusiveRemotingHocon, HoconAddMode.Prepend);
        builder.WithClustering(new ClusterOptions { SeedNodes = settings.SeedNodes, Roles = [LighthouseSettings.Role] });
        builder.AddHocon(settings.SplitBrain.ToHocon(), HoconAddMode.Prepend);
        // No peer chooses the types the lighthouse deserializes (no type-name JSON), as on the broker nodes.
        builder.AddHocon(RefusedJsonSerializer.Hocon, HoconAddMode.Append);

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(LighthouseLog.Category);
        services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(() => LighthouseLog.Stopped(logger));
        return builder.AddStartup((system, _) =>
        {
            var cluster = Cluster.Get(system);
            var address = cluster.SelfAddress.ToString();
            // Without seeds the lighthouse is its own seed. Joining the bound address (not a configured one) also works
            // with port 0.
            if (settings.SeedNodes.Length == 0) cluster.Join(cluster.SelfAddress);
            var seeds = settings.SeedNodes.Length == 0 ? $"{address} (itself)" : string.Join(", ", settings.SeedNodes);
            LighthouseLog.Listening(logger, address, settings.BindHostname, seeds, LighthouseSettings.Role, settings.SplitBrain.ToString());
            if (settings.RemotingTls is { } tls) RemotingTlsLog.Enabled(logger, tls.ToString());

            cluster.RegisterOnMemberUp(() => LighthouseLog.MemberUp(logger, address));
            var shutdown = CoordinatedShutdown.Get(system);
            shutdown.AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "lighthouse-log", () =>
            {
                LighthouseLog.Stopping(logger, shutdown.ShutdownReason?.ToString() ?? "unknown");
                return Task.FromResult(Done.Instance);
            });
        });
    }
}
