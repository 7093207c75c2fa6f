using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

// Where a process allocates, from a trace of the runtime's allocation ticks (one event per about 100 KB allocated, with
// the type and the stack of the allocation that crossed the mark), recorded with
//   dotnet-trace collect -p <pid> --providers Microsoft-Windows-DotNETRuntime:0x1:5 --duration 00:00:04 -o alloc.nettrace
// Usage: dotnet run -c Release --project src/ActorPubSub.AllocStacks -- alloc.nettrace [frames per stack, 6] [top stacks, 25]
if (args.Length is 0 or > 3 || !File.Exists(args[0]))
{
    Console.Error.WriteLine("usage: ActorPubSub.AllocStacks <trace.nettrace> [frames per stack (default 6)] [top stacks (default 25)]");
    return 2;
}
var depth = args.Length > 1 && int.TryParse(args[1], out var d) && d > 0 ? d : 6;
var top = args.Length > 2 && int.TryParse(args[2], out var t) && t > 0 ? t : 25;

using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(args[0]));
var byType = new Dictionary<string, long>(StringComparer.Ordinal);
var byStack = new Dictionary<string, long>(StringComparer.Ordinal);
long total = 0;
foreach (var e in log.Events)
{
    if (e is not GCAllocationTickTraceData tick) continue;
    var amount = tick.AllocationAmount64;
    total += amount;
    byType[tick.TypeName] = byType.GetValueOrDefault(tick.TypeName) + amount;
    var frames = new List<string>();
    for (var frame = e.CallStack(); frame is not null && frames.Count < depth; frame = frame.Caller)
        frames.Add(frame.CodeAddress.FullMethodName is { Length: > 0 } method ? method : frame.CodeAddress.ModuleName + "!?");
    var key = tick.TypeName + "\n      " + string.Join("\n      ", frames);
    byStack[key] = byStack.GetValueOrDefault(key) + amount;
}
if (total == 0)
{
    Console.Error.WriteLine("No allocation ticks in the trace: record it with --providers Microsoft-Windows-DotNETRuntime:0x1:5.");
    return 1;
}
Console.WriteLine($"{total / 1e6:N0} MB in allocation ticks\n\nby type:");
foreach (var (type, bytes) in byType.OrderByDescending(x => x.Value).Take(top)) Console.WriteLine($"{100.0 * bytes / total,6:F1}%  {type}");
Console.WriteLine("\nby stack:");
foreach (var (stack, bytes) in byStack.OrderByDescending(x => x.Value).Take(top)) Console.WriteLine($"{100.0 * bytes / total,6:F1}%  {stack}\n");
return 0;
