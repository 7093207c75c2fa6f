using System.Diagnostics;
using System.Globalization;

namespace ActorPubSub.Bench;

/// <summary>
/// The machine's busy CPU time and this process's and the node's, from /proc (Linux; elsewhere it reads zeros, so the
/// quiet wait ends after its first second). The peers' harness waits before each recorded run until the box is idle
/// and records the CPU each side spent; --node-process runs do the same, so both are measured the same way.
/// </summary>
internal readonly record struct MachineCpu(long BusyTicks, long SelfTicks, long NodeTicks)
{
    // USER_HZ: the unit of /proc/stat and /proc/PID/stat on every Linux the project runs on.
    private const double TicksPerSecond = 100.0;

    public static MachineCpu Take(int? nodePid) =>
        new(MachineBusyTicks(), ProcessTicks(Environment.ProcessId), nodePid is { } pid ? ProcessTicks(pid) : 0);

    /// <summary>
    /// Waits until the machine's busy CPU over one second, apart from this process, is at most
    /// <paramref name="maxBusyCores"/>, or <paramref name="maxWait"/> has passed; the time waited, in seconds.
    /// The node counts as busy, as the peers' brokers do: a node still compiling or flushing waits here.
    /// </summary>
    public static async Task<double> WaitQuietAsync(double maxBusyCores, TimeSpan maxWait)
    {
        var waited = Stopwatch.StartNew();
        if (maxWait <= TimeSpan.Zero) return 0;
        while (true)
        {
            var before = Take(null);
            await Task.Delay(1000);
            var after = Take(null);
            var busyCores = (after.BusyTicks - before.BusyTicks - (after.SelfTicks - before.SelfTicks)) / TicksPerSecond;
            if (busyCores <= maxBusyCores || waited.Elapsed >= maxWait) return Math.Round(waited.Elapsed.TotalSeconds, 1);
        }
    }

    /// <summary>The CPU seconds spent between two snapshots: by the node, by this process (the client), by the rest.</summary>
    public static (double Node, double Client, double Other) Spent(MachineCpu before, MachineCpu after)
    {
        var node = (after.NodeTicks - before.NodeTicks) / TicksPerSecond;
        var client = (after.SelfTicks - before.SelfTicks) / TicksPerSecond;
        var other = Math.Max(0, (after.BusyTicks - before.BusyTicks) / TicksPerSecond - node - client);
        return (Math.Round(node, 2), Math.Round(client, 2), Math.Round(other, 2));
    }

    // The first line of /proc/stat: user nice system idle iowait irq softirq steal ...; busy = all but idle and iowait.
    private static long MachineBusyTicks()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long Field(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
            return Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
        }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
    }

    // utime + stime: fields 14 and 15 of /proc/PID/stat, counted after the command name's closing parenthesis.
    private static long ProcessTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
    }
}
