using System.Globalization;

namespace ActorPubSub.Bench;

/// <summary>Command line of the benchmark tool.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        ActorPubSub benchmark: the standard workloads of DESIGN.md on this machine.

          dotnet run -c Release --project src/ActorPubSub.Bench -- <w1|w2|w3|w4|w5|latency|all> [options]

          --count N          messages per run (default: w1/w2 200000, w3 1000000, w4 200000, w5 5000000;
                             all runs w5 only when --count is given)
          --size BYTES       payload size (default 256, at least 16)
          --window N         publishes in flight without receipt (default 1000)
          --max-in-flight N  deliveries a consumer holds unacked (default 1000)
          --subs N           subscriptions of the fan-out workload (default: w2 4)
          --topics N         topics of w4 (default 10000)
          --rate N           messages/s of the latency workload (default 5000)
          --seconds N        measured seconds of the latency workload (default 10)
          --runs N           measured runs per workload, after one unmeasured warm-up (default 1)
          --transient-window N  transient deliveries a consumer may have unfinished before the topic
                             drops for it (default here 2000000: no drops, like the mediator's
                             unbounded mailboxes; the product default is 10000)
          --postgres CONN    use PostgreSQL instead of a fresh SQLite file (w5: in a database of its
                             own, created on that server and dropped at the end)
          --sqlite-sync full|normal   SQLite synchronous setting (default full: fsync per commit; with
                             --node-process the node's Node:SqliteSynchronous)
          --remote-client    publisher and consumers on a second node (client only), topics on the first
          --cluster-client   publisher and consumers in a second ActorSystem that is no cluster member
                             (WithActorPubSubClient: ClusterClient to the broker's receptionist)
          --node-process     the broker node as shipped (dotnet ActorPubSub.Node.dll, its own defaults and
                             GC) in an OS process of its own on loopback, killed at the end; this process
                             joins its cluster as a member client (no topics), or with --cluster-client
                             reaches it as a non-member client; product defaults only; the peers' warm-up
                             (--warmup); w1, w2, w3 and latency only
          --remote-transport sockets|dotnetty  Akka.Remote's transport on both ends (the client and, with
                             --node-process, the node's Node:RemoteTransport): ActorPubSub's own (the
                             default) or Akka's DotNetty one; with --remote-client, --cluster-client or
                             --node-process
          --publish-route topic|region  where the client sends publishes once a receipt names the topic
                             actor: to it straight (topic, the default) or always through the shard
                             region (region: PublishStraightToTopic = false), to show the setting both ways
          --direct-dispatch on|off  actorpubsub.remote.direct-dispatch on both ends (the client and, with
                             --node-process, the node's Node:DirectDispatch): received topic-protocol
                             messages skip Akka.Remote's endpoint actors (on, the default) or not
          --direct-send on|off  actorpubsub.remote.direct-send on both ends (and Node:DirectSend): topic-
                             protocol messages to remote actors are written straight into the connection
                             (on, the default) or take Akka.Remote's endpoint actors (off)
          --deliver-before-sync on|off  with SQLite full: topics deliver once a commit is written, while
                             its fsync runs (on, the default), or after the fsync (off); receipts wait
                             for the fsync either way (the node's Node:DeliverBeforeSync)
          --node-env NAME=VALUE  an environment variable for the node process only (repeatable), e.g.
                             DOTNET_TieredPGO=0 to show a runtime setting both ways
          --warmup N         --node-process's warm-up run: N messages (w3 5N, latency 1 s); default
                             100000, the peers' harness's (PeerBench --warmup, kept by run.sh)
          --quiet-wait S     --node-process: before each measured run, wait up to S seconds (default 60,
                             0 = not at all) until the machine, node included, is idle (at most
                             --quiet-cores busy over 1 s, default 0.15), as the peers' harness does
          --validation off|warn|enforce  w1/w2: JSON payloads ({"t":..,"n":..,"p":..} of --size bytes) and,
                             unless off, a small JSON Schema registered on the topic with this validation
                             (the cost of a contract check per publish; off = the same payloads unchecked)
          --alloc-profile    after each measured run, the types this process (the client) allocated most,
                             to stderr, from the runtime's allocation ticks (estimated bytes per message)
          --json             one JSON object per result on stdout instead of the table
          --no-progress      no progress bar
        """;

    public string Workload { get; init; } = "all";
    public int? Count { get; init; }
    public int Size { get; init; } = 256;
    public int Window { get; init; } = 1000;
    public int MaxInFlight { get; init; } = 1000;
    public int? Subs { get; init; }
    public int Topics { get; init; } = 10_000;
    public bool AllocProfile { get; init; }
    public int Rate { get; init; } = 5000;
    public int Seconds { get; init; } = 10;
    public int Runs { get; init; } = 1;
    public int Warmup { get; init; } = 100_000;
    public int QuietWaitSeconds { get; init; } = 60;
    public double QuietCores { get; init; } = 0.15;
    public IReadOnlyDictionary<string, string> NodeEnvironment { get; init; } = new Dictionary<string, string>();
    public int? TransientWindow { get; init; }
    public string? Postgres { get; init; }
    public bool SqliteNormal { get; init; }
    public bool RemoteClient { get; init; }
    public bool ClusterClient { get; init; }

    /// <summary>--remote-transport: null runs the product's default.</summary>
    public ActorPubSub.Hosting.RemoteTransport? RemoteTransport { get; init; }

    /// <summary>--publish-route: false sends every publish through the shard region; null is the product's default.</summary>
    public bool? PublishStraightToTopic { get; init; }

    /// <summary>--direct-dispatch: actorpubsub.remote.direct-dispatch on both ends; null is the product's default.</summary>
    public bool? DirectDispatch { get; init; }

    /// <summary>--direct-send: actorpubsub.remote.direct-send on both ends; null is the product's default.</summary>
    public bool? DirectSend { get; init; }

    /// <summary>--deliver-before-sync: PubSubOptions.DeliverBeforeSync on the topic node; null is the product's default.</summary>
    public bool? DeliverBeforeSync { get; init; }

    /// <summary>The broker is the shipped node in a process of its own (see <see cref="Usage"/>).</summary>
    public bool NodeProcess { get; init; }

    /// <summary>The broker runs with remoting and a cluster of its own joined by nothing but a client, if any.</summary>
    public bool TwoSystems => RemoteClient || ClusterClient || NodeProcess;
    public bool Json { get; init; }
    public bool Progress { get; init; } = true;

    /// <summary>--validation: JSON payloads, checked against a registered schema unless Off; null: the standard binary payloads.</summary>
    public ValidationMode? Validation { get; init; }

    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help") throw new BenchUsageException(Usage);
        var workload = args[0];
        if (workload is not ("w1" or "w2" or "w3" or "w4" or "w5" or "latency" or "all"))
            throw new BenchUsageException($"Unknown workload '{workload}'; use w1, w2, w3, w4, w5, latency or all.\n\n{Usage}");
        var o = new BenchOptions { Workload = workload };
        for (var i = 1; i < args.Length; i++)
        {
            var flag = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new BenchUsageException($"{flag} needs a value.");
            int Int(int min) => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min
                ? v : throw new BenchUsageException($"{flag} takes a whole number of at least {min}.");
            double Cores() => double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v is >= 0 and <= 64
                ? v : throw new BenchUsageException($"{flag} takes a number of cores from 0 to 64 (e.g. 0.15).");
            o = flag switch
            {
                "--count" => o with { Count = Int(1) },
                "--size" => o with { Size = Int(16) },
                "--window" => o with { Window = Int(1) },
                "--max-in-flight" => o with { MaxInFlight = Int(1) },
                "--subs" => o with { Subs = Int(1) },
                "--topics" => o with { Topics = Int(1) },
                "--rate" => o with { Rate = Int(1) },
                "--seconds" => o with { Seconds = Int(1) },
                "--runs" => o with { Runs = Int(1) },
                "--warmup" => o with { Warmup = Int(1) },
                "--quiet-wait" => o with { QuietWaitSeconds = Int(0) },
                "--quiet-cores" => o with { QuietCores = Cores() },
                "--node-env" => WithNodeVariable(o, Value()),
                "--remote-transport" => o with
                {
                    RemoteTransport = Value() switch
                    {
                        "sockets" => ActorPubSub.Hosting.RemoteTransport.Sockets,
                        "dotnetty" => ActorPubSub.Hosting.RemoteTransport.DotNetty,
                        var v => throw new BenchUsageException($"--remote-transport is sockets or dotnetty, not '{v}'."),
                    },
                },
                "--publish-route" => o with
                {
                    PublishStraightToTopic = Value() switch
                    {
                        "topic" => true,
                        "region" => false,
                        var v => throw new BenchUsageException($"--publish-route is topic or region, not '{v}'."),
                    },
                },
                "--direct-dispatch" => o with
                {
                    DirectDispatch = Value() switch
                    {
                        "on" => true,
                        "off" => false,
                        var v => throw new BenchUsageException($"--direct-dispatch is on or off, not '{v}'."),
                    },
                },
                "--direct-send" => o with
                {
                    DirectSend = Value() switch
                    {
                        "on" => true,
                        "off" => false,
                        var v => throw new BenchUsageException($"--direct-send is on or off, not '{v}'."),
                    },
                },
                "--deliver-before-sync" => o with
                {
                    DeliverBeforeSync = Value() switch
                    {
                        "on" => true,
                        "off" => false,
                        var v => throw new BenchUsageException($"--deliver-before-sync is on or off, not '{v}'."),
                    },
                },
                "--postgres" => o with { Postgres = Value() },
                "--transient-window" => o with { TransientWindow = Int(1) },
                "--sqlite-sync" => o with
                {
                    SqliteNormal = Value() switch
                    {
                        "full" => false,
                        "normal" => true,
                        var v => throw new BenchUsageException($"--sqlite-sync is full or normal, not '{v}'."),
                    },
                },
                "--remote-client" => o with { RemoteClient = true },
                "--cluster-client" => o with { ClusterClient = true },
                "--node-process" => o with { NodeProcess = true },
                "--json" => o with { Json = true },
                "--alloc-profile" => o with { AllocProfile = true },
                "--validation" => o with
                {
                    Validation = Value() switch
                    {
                        "off" => ValidationMode.Off,
                        "warn" => ValidationMode.Warn,
                        "enforce" => ValidationMode.Enforce,
                        var v => throw new BenchUsageException($"--validation is off, warn or enforce, not '{v}'."),
                    },
                },
                "--no-progress" => o with { Progress = false },
                _ => throw new BenchUsageException($"Unknown option '{flag}'.\n\n{Usage}"),
            };
        }
        if (o.Validation is not null && workload is not ("w1" or "w2"))
            throw new BenchUsageException($"--validation runs w1 or w2, not {workload}.");
        if (o.Validation is not null && o.Size < Payloads.JsonHeader)
            throw new BenchUsageException($"--validation needs --size of at least {Payloads.JsonHeader} (the JSON payload's fixed part).");
        if (o.RemoteClient && o.ClusterClient)
            throw new BenchUsageException("--remote-client (a member client) and --cluster-client (a non-member client) exclude each other; give one.");
        if (o.NodeProcess && o.RemoteClient)
            throw new BenchUsageException("--node-process already runs the client as a member of the node's cluster; drop --remote-client (or add --cluster-client for a non-member client).");
        if (o.NodeProcess && workload is ("w4" or "w5" or "all"))
            throw new BenchUsageException($"--node-process runs w1, w2, w3 or latency, not {workload}.");
        if (o.RemoteTransport is not null && !o.TwoSystems)
            throw new BenchUsageException("--remote-transport needs a remote topology: --remote-client, --cluster-client or --node-process.");
        if (!o.NodeProcess && args.Any(a => a is "--quiet-wait" or "--quiet-cores"))
            throw new BenchUsageException("--quiet-wait and --quiet-cores apply to --node-process only.");
        if (!o.NodeProcess && o.NodeEnvironment.Count > 0)
            throw new BenchUsageException("--node-env applies to --node-process only.");
        if (o.NodeProcess && o.TransientWindow is not null)
            throw new BenchUsageException("--node-process runs the node with its own defaults: --transient-window does not apply.");
        if (o.NodeProcess && o.SqliteNormal && o.Postgres is not null)
            throw new BenchUsageException("--sqlite-sync applies to SQLite, not to --postgres.");
        return o;
    }

    private static BenchOptions WithNodeVariable(BenchOptions o, string pair)
    {
        var eq = pair.IndexOf('=');
        if (eq <= 0) throw new BenchUsageException($"--node-env takes NAME=VALUE, not '{pair}'.");
        return o with { NodeEnvironment = new Dictionary<string, string>(o.NodeEnvironment) { [pair[..eq]] = pair[(eq + 1)..] } };
    }

    /// <summary>Where the journal lives, as the results name it.</summary>
    public string Store => Postgres is not null ? "postgresql" : SqliteNormal ? "sqlite-normal"
        : DeliverBeforeSync == false ? "sqlite-full-deliver-after-sync" : "sqlite-full";
}

internal sealed class BenchUsageException(string message) : Exception(message);
