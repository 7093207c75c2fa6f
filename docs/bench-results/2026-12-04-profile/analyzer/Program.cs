using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;
using Microsoft.Diagnostics.Tracing.Stacks;

double pauseTotal = 0; var path = args[0]; var mode = args[1]; var top = args.Length > 2 ? int.Parse(args[2]) : 30;
var etlx = TraceLog.CreateFromEventPipeDataFile(path, null, new TraceLogOptions { ContinueOnError = true });
using var log = new TraceLog(etlx);
string Frames(TraceCallStack s, int n) { var l = new List<string>(); while (s != null && l.Count < n) { var m = s.CodeAddress.FullMethodName; if (string.IsNullOrEmpty(m)) m = s.CodeAddress.ModuleName + "!?"; l.Add(m); s = s.Caller; } return string.Join(" <- ", l); }
IEnumerable<string> All(TraceCallStack s) { while (s != null) { var m = s.CodeAddress.FullMethodName; yield return string.IsNullOrEmpty(m) ? s.CodeAddress.ModuleName + "!?" : m; s = s.Caller; } }
if (mode == "gc")
{
    var starts = new Dictionary<int, (double t, int depth, string reason)>(); var pause = new double[3]; var count = new int[3]; double sstart = -1;
    foreach (var ev in log.Events)
    {
        if (ev is GCStartTraceData g) { count[Math.Min(g.Depth, 2)]++; starts[g.Count] = (g.TimeStampRelativeMSec, g.Depth, g.Reason.ToString()); }
        if (ev is GCSuspendEETraceData) sstart = ev.TimeStampRelativeMSec;
        if (ev is GCNoUserDataTraceData && ev.EventName.Contains("RestartEEStop") && sstart >= 0) { pauseTotal += ev.TimeStampRelativeMSec - sstart; sstart = -1; }
    }
    Console.WriteLine($"GCs gen0 {count[0]} gen1 {count[1]} gen2 {count[2]} over {log.SessionDuration.TotalSeconds:F1} s; suspended {pauseTotal:F0} ms");
    foreach (var grp in starts.Values.GroupBy(x => (x.depth, x.reason))) Console.WriteLine($"  gen{grp.Key.depth} {grp.Key.reason}: {grp.Count()}");
    return;
}
if (mode == "alloc")
{
    var byType = new Dictionary<string, double>(); var byStack = new Dictionary<string, double>(); var byOurs = new Dictionary<string, double>(); double total = 0;
    var byFrame = new Dictionary<string, double>(); var byKind = new Dictionary<string, double>();
    foreach (var ev in log.Events)
    {
        if (ev is not GCAllocationTickTraceData a) continue;
        double amt = a.AllocationAmount64; total += amt;
        byType[a.TypeName ?? "?"] = byType.GetValueOrDefault(a.TypeName ?? "?") + amt;
        var cs = ev.CallStack();
        var lk = a.AllocationKind + " " + string.Join(" <- ", All(cs).Take(2).Select(f => f.Length > 80 ? f[..80] : f)); byKind[lk] = byKind.GetValueOrDefault(lk) + amt;
        var key = (a.TypeName ?? "?") + " @ " + Frames(cs, 6);
        byStack[key] = byStack.GetValueOrDefault(key) + amt;
        var seen = new HashSet<string>();
        foreach (var f in All(cs)) if (seen.Add(f)) byFrame[f] = byFrame.GetValueOrDefault(f) + amt;
        var ours = All(cs).FirstOrDefault(f => f.StartsWith("ActorPubSub"));
        var k2 = ours ?? "(no ActorPubSub frame)";
        byOurs[k2] = byOurs.GetValueOrDefault(k2) + amt;
    }
    Console.WriteLine($"sampled allocation bytes: {total/1e6:F1} MB over {log.SessionDuration.TotalSeconds:F1} s");
    void Show(string t, Dictionary<string,double> d, int n) { Console.WriteLine($"== {t}"); foreach (var (k, v) in d.OrderByDescending(x => x.Value).Take(n)) Console.WriteLine($"{v*100/total,6:F1}%  {k}"); }
    Show("by type", byType, top); Show("by kind+stack", byKind, top); Show("by first ActorPubSub frame", byOurs, top); Show("inclusive by frame", byFrame, top*2); Show("by type+stack", byStack, top);
}
else
{
    // thread-time samples: keep those whose thread is running managed code (not parked in a wait)
    var incl = new Dictionary<string, int>(); var leafc = new Dictionary<string, int>(); var excl = new Dictionary<string, int>(); int n = 0, total = 0;
    string[] waits = ["WaitOne", "Wait(", "WaitHandle", "SemaphoreSlim.Wait", "Monitor.Wait", "Thread.Sleep", "WaitForSignal", "LowLevelLifoSemaphore", "SpinWait", "EpollWait", "WaitMultiple", "WaitSubsystem", "Socket.Receive", "PollEvents", "ReadConsole", "WaitNative", "Interop+Sys.Read", "BlockingCollection", "TryTake", "Interop+Sys.WaitForSocketEvents", "ManualResetEventSlim.Wait", "WaitCore", "Interop+Sys.LowLevelMonitor_Wait", "Interop+Sys.Poll"];
    foreach (var ev in log.Events)
    {
        if (ev.ProviderName != "Microsoft-DotNETCore-SampleProfiler") continue;
        total++;
        var cs = ev.CallStack(); if (cs == null) continue;
        var frames = All(cs).ToList();
        var top5 = string.Join(" ", frames.Take(8));
        if (waits.Any(w => top5.Contains(w))) continue;
        if (frames[0].EndsWith("!?") || frames[0].Contains("WorkerThreadStart") || frames[0].Contains("SqliteDataReader.NextResult") || frames[0].Contains("PollGCWorker") || frames[0].Contains("ExecuteNonQuery")) continue;
        n++;
        excl[frames[0]] = excl.GetValueOrDefault(frames[0]) + 1;
        if (args.Length > 3 && frames[0].Contains(args[3])) { var k = string.Join(" <- ", frames.Skip(1).Take(5).Select(f => f.Length > 90 ? f[..90] : f)); leafc[k] = leafc.GetValueOrDefault(k) + 1; }
        foreach (var f in frames.Distinct()) incl[f] = incl.GetValueOrDefault(f) + 1;
    }
    Console.WriteLine($"samples {total}, running (not in a wait) {n}");
    Console.WriteLine("== leaf callers"); foreach (var (k, v) in leafc.OrderByDescending(x => x.Value).Take(15)) Console.WriteLine($"{v*100.0/n,6:F1}%  {k}");
    Console.WriteLine("== exclusive"); foreach (var (k, v) in excl.OrderByDescending(x => x.Value).Take(top)) Console.WriteLine($"{v*100.0/n,6:F1}%  {k}");
    Console.WriteLine("== inclusive"); foreach (var (k, v) in incl.OrderByDescending(x => x.Value).Take(top*3)) Console.WriteLine($"{v*100.0/n,6:F1}%  {k}");
}
