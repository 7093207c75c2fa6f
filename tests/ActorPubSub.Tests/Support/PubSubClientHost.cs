using Akka.Actor;
using Akka.Hosting;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorPubSub.Tests.Support;

/// <summary>
/// A service that uses the topics without joining the cluster: a Generic Host with Akka.Hosting and
/// <c>WithActorPubSubClient</c> (remoting on loopback, a free port, no Akka.Cluster).
/// </summary>
public sealed class PubSubClientHost : IAsyncDisposable
{
    private readonly IHost _host;

    private PubSubClientHost(IHost host)
    {
        _host = host;
        System = host.Services.GetRequiredService<ActorSystem>();
        Client = host.Services.GetRequiredService<IPubSub>();
    }

    public ActorSystem System { get; }
    public IPubSub Client { get; }

    public static async Task<PubSubClientHost> StartAsync(PubSubClientOptions options, string systemName = "service")
    {
        var host = new HostBuilder()
            .ConfigureServices(services =>
            {
                services.AddAkka(systemName, (builder, _) =>
                {
                    builder.AddHocon("akka.loglevel = INFO\nakka.coordinated-shutdown.exit-clr = off", HoconAddMode.Prepend);
                    builder.WithActorPubSubClient(options);
                });
                services.AddPubSubClient();
            })
            .Build();
        await host.StartAsync();
        return new PubSubClientHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(TimeSpan.FromSeconds(30));
        _host.Dispose();
    }
}
