using Akka.Hosting;
using ActorPubSub.Lighthouse;
using ActorPubSub.Server.Health;
using ActorPubSub.Server.Telemetry;
using ActorPubSub.Server.Startup;
using ActorPubSub.Server.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// appsettings.json is read from the application folder.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddLighthouseConfiguration(args);
if (!LighthouseConfiguration.TryLoad(builder.Configuration, out var settings, out var error))
{
    Console.Error.WriteLine($"Lighthouse: {error}");
    return 2;
}
if (settings.PortInUse() is { } portInUse)
{
    Console.Error.WriteLine($"Lighthouse: {portInUse}");
    return 2;
}

builder.WebHost.UseHttpAddress(settings.Http);
builder.Services.AddHealthChecks().AddReadinessCheck<ClusterMemberHealthCheck>(ClusterMemberHealthCheck.Name);
builder.Services.AddTelemetryExport(builder.Configuration, "actorpubsub-lighthouse");
builder.Services.AddAkka(settings.ActorSystemName, (akka, services) => akka.WithLighthouse(settings, services));

await using var app = builder.Build();
app.MapHealthEndpoints();
app.MapMetricsEndpoint(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(LighthouseLog.Category));
app.MapLighthouseAdmin(settings);
app.LogHttpAddressOnStart(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(LighthouseLog.Category));
try
{
    await app.RunAsync();
}
catch (Exception e) when (PortCheck.IsAddressInUse(e))
{
    // Taken between the check above and the bind: still one line and the exit code of a bad setting.
    Console.Error.WriteLine($"Lighthouse: a port to bind is in use by another program ({e.Message}); stop it or choose another port");
    return 2;
}
catch (Exception e)
{
    // The host has logged the failure with its stack trace; end with one line and exit code 1.
    Console.Error.WriteLine($"Lighthouse: failed: {e.Message}");
    return 1;
}
// 0 after a graceful leave (SIGTERM, SIGINT); Akka.Hosting sets a non-zero code when the lighthouse was downed.
return Environment.ExitCode;
