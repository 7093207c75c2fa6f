using System.Net;
using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Node;
using ActorPubSub.Node.Health;
using ActorPubSub.Server.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Cli;

/// <summary>
/// A broker node in the test process, composed like the node's Program.cs (its settings, cluster, health and admin
/// endpoints on a real Kestrel) but on a free loopback port, so pbm can be pointed at it in-process. Several of them
/// form a cluster through <c>Node:SeedNodes</c>; they may share one SQLite file (one writer per topic at a time).
/// </summary>
public sealed class AdminNode : IAsyncDisposable
{
    private readonly IHostApplicationLifetime _lifetime;
    private readonly Task _run;

    private AdminNode(WebApplication app, Task run)
    {
        _lifetime = app.Lifetime;
        _run = run;
        System = app.Services.GetRequiredService<ActorSystem>();
        Client = PubSubClient.Get(System);
        var url = new Uri(app.Urls.Single());
        Target = $"127.0.0.1:{url.Port}";
    }

    public ActorSystem System { get; }
    public IPubSub Client { get; }

    /// <summary>The web server as pbm's first argument: <c>127.0.0.1:port</c>.</summary>
    public string Target { get; }

    public Address Address => Cluster.Get(System).SelfAddress;

    /// <param name="settings">Node settings by name (<c>SeedNodes:0</c>, <c>RequireAdminToken</c>, ...).</param>
    public static async Task<AdminNode> StartAsync(string sqliteFile, IReadOnlyDictionary<string, string>? settings = null, bool waitForUp = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var values = new Dictionary<string, string?> { ["Node:HttpAddress"] = "127.0.0.1:0", ["Node:SqliteFile"] = sqliteFile };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) values[$"Node:{key}"] = value;
        builder.Configuration.AddInMemoryCollection(values);
        if (!NodeConfiguration.TryLoad(builder.Configuration, out var node, out var error)) throw new InvalidOperationException(error);
        builder.Logging.ClearProviders();
        builder.WebHost.UseHttpAddress(node.Http);
        builder.Services.AddNodeHealthChecks();
        builder.Services.AddAkka(node.ActorSystemName, (akka, _) => akka
            .AddHocon("akka.loglevel = WARNING\nakka.coordinated-shutdown.exit-clr = off\nakka.coordinated-shutdown.terminate-actor-system = on",
                HoconAddMode.Prepend)
            .WithActorPubSub(node.ToPubSubOptions())
            .WithNodeCluster(node));
        var app = builder.Build();
        app.MapHealthEndpoints();
        app.MapNodeAdmin(node);
        // Run, as Program.cs does, so that a stop asked from inside (pbm cluster leave) stops the host.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        var run = app.RunAsync();
        await Task.WhenAny(started.Task, run);
        if (run.IsCompleted) await run;   // failed to start: throws
        var admin = new AdminNode(app, run);
        if (waitForUp) await admin.WaitUntilUpAsync();
        return admin;
    }

    public Task WaitUntilUpAsync()
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Cluster.Get(System).RegisterOnMemberUp(() => up.TrySetResult());
        return up.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>The node's web server, for raw HTTP.</summary>
    public Uri BaseUrl => new($"http://{Target}/");

    /// <summary>Stops the host (CoordinatedShutdown: leave, hand off); also what pbm cluster leave does to this node.</summary>
    public async Task StopAsync()
    {
        // RunAsync disposes the host once it stopped (also when the node left or was downed and stopped by itself).
        if (!_run.IsCompleted) _lifetime.StopApplication();
        await _run.WaitAsync(TimeSpan.FromSeconds(60));
        await System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Completes when the host has stopped (e.g. after pbm cluster leave).</summary>
    public Task Stopped => _run;

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>A loopback port nothing listens on (for seeds that never answer and unreachable hosts).</summary>
    public static int DeadPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
