using System.Diagnostics;
using Akka.Actor;
using Akka.Hosting;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// First harness for the durable path (W1: 1 topic, 1 publisher, 1 subscription with 1 consumer acking every
// message, 256-byte payloads, publishes confirmed once persisted). The full benchmark tool with every
// standard workload builds on this.
//   dotnet run -c Release --project src/ActorPubSub.Bench -- [count] [window] [postgres-connection-string]
var count = args.Length > 0 ? int.Parse(args[0]) : 200_000;
var window = args.Length > 1 ? int.Parse(args[1]) : 1000;
var postgres = args.Length > 2 ? args[2] : null;
var file = Path.Combine(Path.GetTempPath(), $"actorpubsub-bench-{Guid.NewGuid():N}.db");

var host = new HostBuilder()
    .ConfigureServices(services =>
    {
        services.AddAkka("bench", (builder, _) =>
        {
            builder.AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend);
            builder.WithActorPubSub(new PubSubOptions { SqliteFile = file, PostgreSqlConnectionString = postgres, ConsumerMaxInFlight = 1000 });
        });
        services.AddPubSubClient();
    })
    .Build();
await host.StartAsync();
var pubsub = host.Services.GetRequiredService<IPubSub>();
var upTcs = new TaskCompletionSource();
Akka.Cluster.Cluster.Get(host.Services.GetRequiredService<ActorSystem>()).RegisterOnMemberUp(() => upTcs.TrySetResult());
await upTcs.Task;

async Task<(double Publish, double EndToEnd)> RunAsync(string topic, int n)
{
    var acked = 0;
    var allAcked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    await using var sub = await pubsub.SubscribeAsync<byte[]>(topic, "w1", (_, _) =>
    {
        if (Interlocked.Increment(ref acked) == n) allAcked.TrySetResult();
        return Task.CompletedTask;
    });
    var payload = new byte[256];
    var gate = new SemaphoreSlim(window);
    var sw = Stopwatch.StartNew();
    var pending = new List<Task>(n);
    for (var i = 0; i < n; i++)
    {
        await gate.WaitAsync();
        pending.Add(pubsub.PublishAsync(topic, payload).ContinueWith(t =>
        {
            gate.Release();
            return t.Result;
        }, TaskContinuationOptions.ExecuteSynchronously));
    }
    await Task.WhenAll(pending);
    var publishSeconds = sw.Elapsed.TotalSeconds;
    await allAcked.Task;
    var endToEndSeconds = sw.Elapsed.TotalSeconds;
    return (n / publishSeconds, n / endToEndSeconds);
}

var run = Guid.NewGuid().ToString("N")[..8];   // fresh topics per run, also on a reused PostgreSQL database
await RunAsync("warmup-" + run, Math.Min(20_000, count));
var (publish, e2e) = await RunAsync("w1-" + run, count);
var store = postgres is null ? "SQLite (synchronous=FULL, WAL)" : "PostgreSQL";
Console.WriteLine($"W1 {store}: {count:N0} msgs x 256 B, window {window}: " +
                  $"publish {publish:N0} msg/s confirmed, end-to-end {e2e:N0} msg/s acked");
await host.StopAsync();
foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
