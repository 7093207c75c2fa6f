using Akka.Hosting;
using ActorPubSub.Hosting;
using ActorPubSub.Node;
using ActorPubSub.Node.Health;
using ActorPubSub.Server.Telemetry;
using ActorPubSub.Server.Startup;
using ActorPubSub.Server.Web;
using ActorPubSub.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ActorPubSub.Topics.Subscriptions;

// appsettings.json is read from the application folder; the working directory is where ./data goes.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddNodeConfiguration(args);
if (!NodeConfiguration.TryLoad(builder.Configuration, out var settings, out var error))
{
    Console.Error.WriteLine($"ActorPubSub.Node: {error}");
    return 2;
}
if (settings.PortInUse() is { } portInUse)
{
    Console.Error.WriteLine($"ActorPubSub.Node: {portInUse}");
    return 2;
}

builder.WebHost.UseHttpAddress(settings.Http);
builder.Services.AddNodeHealthChecks();
builder.Services.AddSingleton<NodeExit>();
builder.Services.AddTelemetryExport(builder.Configuration, "actorpubsub-node", PubSubTelemetry.Name);
builder.Services.AddAkka(settings.ActorSystemName, (akka, services) => akka
    .WithNodeLogging()
    .WithActorPubSub(settings.ToPubSubOptions())
    .WithNodeCluster(settings)
    .WithJournalWatchdog(settings, services)
    .WithJoinChecks(settings, services)
    .WithNodeLifecycleLog(settings, services));

await using var app = builder.Build();
app.MapHealthEndpoints();
app.MapMetricsEndpoint(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(NodeLog.Category));
app.MapNodeAdmin(settings);
app.LogHttpAddressOnStart(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(NodeLog.Category));
// Asked for now: RunAsync disposes the host, and with it the service provider.
var exit = app.Services.GetRequiredService<NodeExit>();
try
{
    await app.RunAsync();
}
catch (Exception e) when (PortCheck.IsAddressInUse(e))
{
    // Taken between the check above and the bind: still one line and the exit code of a bad setting.
    Console.Error.WriteLine($"ActorPubSub.Node: a port to bind is in use by another program ({e.Message}); stop it or choose another port");
    return 2;
}
catch (Exception e)
{
    // The host has logged the failure with its stack trace; end with one line and exit code 1, not an unhandled exception.
    Console.Error.WriteLine($"ActorPubSub.Node: failed: {e.Message}");
    return 1;
}
// Akka.Hosting sets a non-zero exit code when the node was downed or left the cluster without being asked to stop; a
// node that left on its own for a reason of its own (its journal unreachable: 3) says so with its own code.
return exit.Code ?? Environment.ExitCode;
