using System.Globalization;
using System.Text;

namespace ActorPubSub.Bench;

/// <summary>Prints results as a markdown table (what docs/benchmarks.md quotes).</summary>
internal static class ResultTable
{
    public static string Render(IReadOnlyList<BenchResult> results)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| workload | store | topology | messages | seconds | publish msg/s | e2e msg/s | handler e2e msg/s | p50 µs | p99 µs | p99.9 µs | dups | peak MB | note |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
            sb.AppendLine(string.Join(" | ",
                "| " + r.Workload, r.Store, r.Topology, N(r.Messages), r.Seconds.ToString("F2", CultureInfo.InvariantCulture),
                N(r.PublishPerSecond), N(r.EndToEndPerSecond), N(r.HandlerEndToEndPerSecond), N(r.P50Micros), N(r.P99Micros), N(r.P999Micros),
                N(r.Duplicates), N(r.PeakWorkingSetMb), (r.Note ?? "") + " |"));
        return sb.ToString();
    }

    private static string N(double? value) => value is null ? "" : value.Value.ToString("N0", CultureInfo.InvariantCulture);
}
