using Akka.Hosting;
using ActorPubSub.Hosting;
using ActorPubSub.Node;
using Microsoft.Extensions.Hosting;

// appsettings.json is read from the application folder; the working directory is where ./data goes.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddNodeConfiguration(args);
if (!NodeConfiguration.TryLoad(builder.Configuration, out var settings, out var error))
{
    Console.Error.WriteLine($"ActorPubSub.Node: {error}");
    return 2;
}

builder.Services.AddAkka(settings.ActorSystemName, (akka, services) => akka
    .WithNodeLogging()
    .WithActorPubSub(settings.ToPubSubOptions())
    .WithNodeCluster(settings)
    .WithNodeLifecycleLog(settings, services));

using var host = builder.Build();
try
{
    await host.RunAsync();
}
catch (Exception e)
{
    // The host has logged the failure with its stack trace; end with one line and exit code 1, not an unhandled exception.
    Console.Error.WriteLine($"ActorPubSub.Node: failed: {e.Message}");
    return 1;
}
// Akka.Hosting sets a non-zero exit code when the node was downed or left the cluster without being asked to stop.
return Environment.ExitCode;
