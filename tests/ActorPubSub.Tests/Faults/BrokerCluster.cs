using System.Globalization;
using System.Net;
using Akka.Cluster;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using Xunit.Abstractions;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// A lighthouse and broker nodes as real processes on PostgreSQL, joined through <c>CLUSTER_SEEDS</c> like the
/// Kubernetes manifests do, plus the test process as a client member (it hosts no topics, so it survives whatever is
/// done to the brokers). The Split Brain Resolver is keep-majority on every member, with a short stable-after so that
/// downing takes seconds: the failure detector keeps Akka's defaults (unreachable after about 3-5 s of silence).
/// </summary>
public sealed class BrokerCluster : IAsyncDisposable
{
    public const string SystemName = "actorpubsub";
    public const string Role = "actorpubsub";

    /// <summary>
    /// Membership must be stable this long before the resolver downs anyone: the product default (5 s), so that the
    /// recovery times the tests assert and print are the ones users get.
    /// </summary>
    public static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(5);

    /// <summary>Bounds a wait for a process to start or become ready (a cold <c>dotnet</c> start on a busy 2-core machine).</summary>
    public static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);

    /// <summary>Bounds a graceful stop: CoordinatedShutdown hands the shards off and leaves.</summary>
    public static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(60);

    /// <summary>When set to a folder, every process's whole output is written there (the test output keeps the last lines).</summary>
    public const string LogsVariable = "ACTORPUBSUB_FAULTS_LOGS";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly ITestOutputHelper _output;
    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("actorpubsub-faults-").FullName;
    private readonly TempDatabase _clientDatabase = new();
    private readonly string _clientHost;
    private readonly List<PubSubNode> _clients = [];
    private readonly List<(string Name, ServiceProcess Process)> _members = [];
    private ServiceProcess? _lighthouse;

    private BrokerCluster(ITestOutputHelper output, string clientHost, IReadOnlyList<Broker> brokers, string seed)
    {
        (_output, _clientHost, Brokers, Seed) = (output, clientHost, brokers, seed);
    }

    /// <summary>The lighthouse's address: every member's seed.</summary>
    public string Seed { get; }

    public IReadOnlyList<Broker> Brokers { get; }

    /// <summary>The Split Brain Resolver HOCON of every member (the brokers and the lighthouse get it through their settings).</summary>
    public static string SplitBrainHocon =>
        "akka.cluster.downing-provider-class = \"Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster\"\n"
        + "akka.cluster.split-brain-resolver.active-strategy = keep-majority\n"
        + $"akka.cluster.split-brain-resolver.stable-after = {(long)StableAfter.TotalMilliseconds}ms\n"
        + "akka.cluster.down-removal-margin = 2s\n";

    /// <summary>
    /// Starts a lighthouse on <paramref name="lighthouseHost"/> and one broker per placement (three on loopback when
    /// none are given), and waits until every broker is ready (Up, journal answering, topic region registered).
    /// </summary>
    public static async Task<BrokerCluster> StartAsync(ITestOutputHelper output, string connectionString,
        IReadOnlyList<BrokerPlacement>? placements = null, string lighthouseHost = "127.0.0.1")
    {
        placements ??= Enumerable.Range(0, 3).Select(_ => new BrokerPlacement("127.0.0.1", connectionString)).ToList();
        var lighthousePort = ServiceProcess.FreeLoopbackPort();
        var seed = $"akka.tcp://{SystemName}@{lighthouseHost}:{lighthousePort}";
        var brokers = placements.Select((p, i) =>
        {
            // A fixed port (not 0), so that a restarted broker is a new incarnation of the same member address.
            var port = ServiceProcess.FreeLoopbackPort();
            return new Broker(i + 1, p.Host, port, new Dictionary<string, string>
            {
                ["CLUSTER_SEEDS"] = seed,
                ["CLUSTER_IP"] = p.Host,
                ["CLUSTER_PORT"] = port.ToString(CultureInfo.InvariantCulture),
                // Bind this address only: a broker advertising a non-loopback address would otherwise bind every interface.
                ["ACTORPUBSUB_Node__Hostname"] = p.Host,
                ["ACTORPUBSUB_Node__HttpAddress"] = $"{p.Host}:0",
                ["ACTORPUBSUB_Node__PostgreSqlConnectionString"] = p.ConnectionString,
                ["ACTORPUBSUB_Node__SplitBrainStableAfter"] = StableAfter.ToString("c", CultureInfo.InvariantCulture),
                // The partition test's brokers bind addresses of a test bridge (off loopback): plain TCP there is deliberate.
                ["ACTORPUBSUB_Node__AllowPlaintextRemoting"] = "true",
            }, p.Launcher);
        }).ToList();

        var cluster = new BrokerCluster(output, lighthouseHost, brokers, seed);
        try
        {
            await cluster.StartLighthouseAsync(lighthouseHost, lighthousePort);
            await Task.WhenAll(brokers.Select(cluster.StartAsync));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The test process joins as a client member: no topics, the brokers' role named, the same resolver.</summary>
    public async Task<PubSubNode> StartClientAsync()
    {
        // Dead letters and disassociations are what a fault test is made of: keep the test output for the figures.
        var client = await PubSubNode.StartClientAsync(Seed, new PubSubOptions { SqliteFile = _clientDatabase.File, AllowPlaintextRemoting = true }, SystemName, Role,
            _clientHost, SplitBrainHocon + "akka.loglevel = WARNING\n");
        _clients.Add(client);
        return client;
    }

    /// <summary>
    /// Starts a member that is not a broker, as a process placed like a broker (e.g. in a broker's network namespace):
    /// a node whose role is <paramref name="role"/>, not the brokers', so the Split Brain Resolver does not count it
    /// (it decides by the broker role, the same on every member) — what a client service joined to the cluster is to
    /// the resolver. Returns its member address once it is Up.
    /// </summary>
    public async Task<(string Address, ServiceProcess Process)> StartMemberAsync(BrokerPlacement placement, string role, string name)
    {
        var port = ServiceProcess.FreeLoopbackPort();
        var process = ServiceProcess.Start(ServiceProcess.NodePath, new Dictionary<string, string>
        {
            ["CLUSTER_SEEDS"] = Seed,
            ["CLUSTER_IP"] = placement.Host,
            ["CLUSTER_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["ACTORPUBSUB_Node__Hostname"] = placement.Host,
            ["ACTORPUBSUB_Node__HttpAddress"] = $"{placement.Host}:0",
            ["ACTORPUBSUB_Node__PostgreSqlConnectionString"] = placement.ConnectionString,
            ["ACTORPUBSUB_Node__Role"] = role,
            ["ACTORPUBSUB_Node__SplitBrainRole"] = Role,
            ["ACTORPUBSUB_Node__SplitBrainStableAfter"] = StableAfter.ToString("c", CultureInfo.InvariantCulture),
            ["ACTORPUBSUB_Node__AllowPlaintextRemoting"] = "true",
        }, _workingDirectory, launcher: placement.Launcher);
        _members.Add((name, process));
        await process.WaitForOutputAsync("is Up in the cluster", StartDeadline);
        return ($"akka.tcp://{SystemName}@{placement.Host}:{port}", process);
    }

    public Broker ByAddress(string address) =>
        Brokers.SingleOrDefault(b => b.Address == address)
        ?? throw new Xunit.Sdk.XunitException($"{address} is none of the brokers ({string.Join(", ", Brokers.Select(b => b.Address))}).");

    /// <summary>"broker-2", "lighthouse" or "client" for a member's address, else the address itself.</summary>
    public string NameOf(string address) =>
        Brokers.SingleOrDefault(b => b.Address == address)?.Name
        ?? (address == Seed ? "lighthouse" : _clients.Any(c => c.Address.ToString() == address) ? "client" : address);

    /// <summary>Starts <paramref name="broker"/> (again: a new incarnation on the same address) and waits until it is ready.</summary>
    public async Task StartAsync(Broker broker)
    {
        await LaunchAsync(broker);
        await WaitReadyAsync(broker);
    }

    /// <summary>Starts <paramref name="broker"/>'s process and returns once its web server listens (not waiting until it is ready).</summary>
    public async Task LaunchAsync(Broker broker)
    {
        var process = ServiceProcess.Start(ServiceProcess.NodePath, broker.Environment, _workingDirectory, launcher: broker.Launcher);
        broker.Process = process;
        broker.Incarnations.Add(process);
        broker.Http = await process.HttpUrlAsync(StartDeadline);
    }

    /// <summary>SIGTERM: CoordinatedShutdown hands the broker's shards off and leaves; returns the exit code.</summary>
    public async Task<int> StopGracefullyAsync(Broker broker)
    {
        broker.Signal(ServiceProcess.SigTerm);
        return await broker.Process.WaitForExitAsync(ExitDeadline);
    }

    /// <summary>Polls the broker's <c>/health/ready</c> until it answers 200; fails with its last answer and output.</summary>
    public static async Task WaitReadyAsync(Broker broker, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? StartDeadline);
        var last = "no answer yet";
        while (true)
        {
            try
            {
                using var response = await Http.GetAsync(new Uri(broker.Http, "/health/ready"));
                if (response.StatusCode == HttpStatusCode.OK) return;
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }
            if (broker.Process.HasExited) throw broker.Process.Failure($"{broker.Name} exited before it was ready");
            if (DateTime.UtcNow > deadline) throw broker.Process.Failure($"{broker.Name} was not ready within {(within ?? StartDeadline).TotalSeconds:0} s (last answer: {last})");
            await Task.Delay(200);
        }
    }

    /// <summary>The status of <paramref name="address"/> in <paramref name="client"/>'s view of the cluster; null once removed.</summary>
    public static MemberStatus? StatusIn(PubSubNode client, string address) =>
        Cluster.Get(client.System).State.Members.FirstOrDefault(m => m.Address.ToString() == address)?.Status;

    /// <summary>The brokers <paramref name="client"/> sees Up and reachable.</summary>
    public IReadOnlyList<Broker> UpIn(PubSubNode client)
    {
        var state = Cluster.Get(client.System).State;
        var up = state.Members.Where(m => m.Status == MemberStatus.Up && !state.Unreachable.Contains(m)).Select(m => m.Address.ToString()).ToHashSet();
        return Brokers.Where(b => up.Contains(b.Address)).ToList();
    }

    /// <summary>The lighthouse's current process.</summary>
    public ServiceProcess Lighthouse => _lighthouse ?? throw new InvalidOperationException("The lighthouse has not started.");

    /// <summary>Starts the lighthouse again (a new incarnation on the same address) and waits until it is Up.</summary>
    public async Task RestartLighthouseAsync()
    {
        if (_lighthouse is { HasExited: false }) throw new InvalidOperationException("The lighthouse is still running.");
        if (_lighthouse is not null) _previousLighthouses.Add(_lighthouse);
        var address = new Uri(Seed.Replace("akka.tcp://", "tcp://", StringComparison.Ordinal));
        await StartLighthouseAsync(_clientHost, address.Port);
    }

    private readonly List<ServiceProcess> _previousLighthouses = [];

    private async Task StartLighthouseAsync(string host, int port)
    {
        _lighthouse = ServiceProcess.StartLighthouse(new Dictionary<string, string>
        {
            ["CLUSTER_IP"] = host,
            ["CLUSTER_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            // Itself first, then the brokers: as the first seed it forms the cluster only when no other seed answers, so
            // a lighthouse restarted after it was downed joins the brokers' cluster instead of forming a second one.
            ["CLUSTER_SEEDS"] = string.Join(",", [Seed, .. Brokers.Select(b => b.Address)]),
            ["ACTORPUBSUB_Lighthouse__Hostname"] = host,
            ["ACTORPUBSUB_Lighthouse__HttpAddress"] = "127.0.0.1:0",
            ["ACTORPUBSUB_Lighthouse__SplitBrainStableAfter"] = StableAfter.ToString("c", CultureInfo.InvariantCulture),
            ["ACTORPUBSUB_Lighthouse__AllowPlaintextRemoting"] = "true",
        }, _workingDirectory);
        await _lighthouse.WaitForOutputAsync("Lighthouse is Up", StartDeadline);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) await client.DisposeAsync();
        var processes = Brokers.SelectMany(b => b.Incarnations.Select((p, i) => ($"{b.Name} #{i + 1}", p))).ToList();
        if (_lighthouse is not null) processes.Insert(0, ("lighthouse", _lighthouse));
        processes.AddRange(_members);
        processes.InsertRange(0, _previousLighthouses.Select((p, i) => ($"lighthouse #{i + 1}", p)));
        var keep = Environment.GetEnvironmentVariable(LogsVariable) is { Length: > 0 } folder ? Directory.CreateDirectory(folder).FullName : null;
        foreach (var (name, process) in processes)
        {
            await process.DisposeAsync();
            if (keep is not null) await File.WriteAllTextAsync(Path.Combine(keep, $"{DateTime.UtcNow:HHmmss}-{name.Replace(' ', '-')}.log"), process.Transcript);
            // The end of every process's log: where a failing test's story is.
            var tail = process.Transcript.Split('\n').TakeLast(25).Select(l => l.Length > 400 ? l[..400] + " …" : l);
            _output.WriteLine($"--- {name}, last lines:\n{string.Join('\n', tail)}");
        }
        _clientDatabase.Dispose();
        try { Directory.Delete(_workingDirectory, recursive: true); }
        catch (IOException) { /* a killed process may still hold a file; the temp folder is scratch space */ }
    }
}
