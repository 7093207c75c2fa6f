using ActorPubSub.Bench;
using ActorPubSub.Bench.Workloads;

// The ActorPubSub benchmark tool: the standard workloads of DESIGN.md, printed as a table (or JSON lines).
//   dotnet run -c Release --project src/ActorPubSub.Bench -- <w1|w2|w3|w4|w5|latency|all> [options]
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (BenchUsageException e)
{
    Console.Error.WriteLine(e.Message);
    return args.Length == 0 || args[0] is "-h" or "--help" ? 0 : 2;
}

// --json: stdout carries the JSON lines only. Akka's default logger writes to Console.Out (e.g. a remote watcher's error
// as a client shuts down), so everything else written to the console goes to stderr.
var resultsOut = Console.Out;
if (options.Json) Console.SetOut(Console.Error);

// W5 at its default size (5,000,000 messages) takes long: `all` runs it only at a --count given (as CI does).
var workloads = options.Workload != "all" ? [options.Workload]
    : options.Count is null ? ["w1", "w2", "w3", "w4", "latency"] : new[] { "w1", "w2", "w3", "w4", "w5", "latency" };
if (options.Workload == "all" && options.Count is null) Console.Error.WriteLine("all: w5 skipped (it runs in all only with --count)");
var results = new List<BenchResult>();
// --node-process: one node for the whole invocation, warm-up and measured runs alike (as the peers' harness keeps one
// broker running across its runs), each run on a topic of its own.
using var allocations = options.AllocProfile ? new AllocationProfile() : null;
await using var node = options.NodeProcess ? await BenchCluster.StartAsync(options) : null;
foreach (var workload in workloads)
{
    for (var run = 0; run <= options.Runs; run++)
    {
        var measured = run > 0;   // run 0 warms up the JIT and the store, unrecorded
        // As the peers' harness: before a recorded run against a node of its own, wait until the machine (the node
        // included) is idle, and record what each side spent during the run.
        var quietWait = measured && node is not null
            ? await MachineCpu.WaitQuietAsync(options.QuietCores, TimeSpan.FromSeconds(options.QuietWaitSeconds)) : (double?)null;
        var before = MachineCpu.Take(node?.NodeProcessId);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        if (measured) allocations?.Start();
        var result = await RunAsync(workload, options, measured, node);
        allocations?.Stop();
        if (!measured) continue;
        if (allocations is not null)
        {
            Console.Error.WriteLine($"{workload}: {allocations.Report(result.Messages)}");
            allocations.Clear();
        }
        if (node is not null)
        {
            var (server, client, other) = MachineCpu.Spent(before, MachineCpu.Take(node.NodeProcessId));
            result = result with
            {
                QuietWaitSeconds = quietWait, CpuServerSeconds = server, CpuClientSeconds = client, CpuOtherSeconds = other,
                AllocClientMb = Math.Round((GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 1e6, 1),
            };
        }
        results.Add(result);
        if (options.Json) resultsOut.WriteLine(result.ToJson());
    }
}
if (!options.Json) Console.WriteLine(ResultTable.Render(results));
return 0;

static async Task<BenchResult> RunAsync(string workload, BenchOptions o, bool measured, BenchCluster? node)
{
    // The warm-up is as long as a measured run: the JIT's tiering (PGO) needs about that long, and shorter
    // warm-ups left the first measured run up to 2x slower than the next ones.
    // --node-process warms up as the peers' harness does: --warmup messages (its default is PeerBench's, which run.sh
    // keeps: 100,000), w3 5x that, latency 1 s.
    var peersWarmup = o.NodeProcess && !measured;
    long Count(long full) => peersWarmup ? Math.Min(o.Count ?? full, workload == "w3" ? 5L * o.Warmup : o.Warmup) : o.Count ?? full;
    // W4's warm-up is a tenth (1,000 topics): its measured run alone takes minutes at its serve rate.
    if (workload == "w4")
        return measured
            ? await ManyTopicsWorkload.RunAsync(o, Count(200_000))
            : await ManyTopicsWorkload.RunAsync(o with { Topics = Math.Min(o.Topics, 1000) }, Math.Max(1, Count(200_000) / 10));
    // W5 likewise (and it starts its own node twice, with the product's defaults).
    if (workload == "w5")
        return measured
            ? await BacklogWorkload.RunAsync(o, Count(5_000_000), measured)
            : await BacklogWorkload.RunAsync(o, Math.Max(1, Count(5_000_000) / 10), measured);
    await using var own = node is null ? await BenchCluster.StartAsync(o) : null;
    var cluster = node ?? own!;
    return workload switch
    {
        "w1" => await DurableWorkload.RunAsync(cluster, o, "w1", o.Subs ?? 1, Count(200_000), measured),
        "w2" => await DurableWorkload.RunAsync(cluster, o, "w2", o.Subs ?? 4, Count(200_000), measured),
        "w3" => await TransientWorkload.RunAsync(cluster, o, Count(1_000_000), measured),
        "latency" => await LatencyWorkload.RunAsync(cluster, measured ? o : o with { Seconds = 1 }, measured),
        _ => throw new InvalidOperationException(workload),
    };
}
