using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace ActorPubSub.Bench;

/// <summary>
/// --alloc-profile: which types this process (the client) allocates during measured runs, from the runtime's own
/// allocation ticks (one event per about 100 KB allocated, naming the type whose allocation crossed the mark), so each
/// type's share of the ticks estimates its share of the bytes. No stacks, but the type names say which path allocates;
/// a tool like dotnet-trace gives stacks where those are needed. With --node-process the figures are the client's alone;
/// in-process they include the node's (and W3's mediator rounds).
/// </summary>
internal sealed class AllocationProfile : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int AllocationTickEventId = 10;   // GCAllocationTick_V4

    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private volatile bool _recording;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_recording || e.EventId != AllocationTickEventId || e.Payload is null || e.PayloadNames is null) return;
        var type = e.PayloadNames.IndexOf("TypeName") is var t and >= 0 ? e.Payload[t] as string ?? "?" : "?";
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload[a]) : 100_000;
        _bytes.AddOrUpdate(type, amount, (_, sum) => sum + amount);
    }

    public void Start() => _recording = true;

    public void Stop() => _recording = false;

    public void Clear() => _bytes.Clear();

    /// <summary>The types with the largest shares, each with its estimated bytes per message.</summary>
    public string Report(long messages, int top = 25)
    {
        var total = _bytes.Values.Sum();
        if (total == 0) return "allocation profile: no allocation ticks recorded";
        var lines = _bytes.OrderByDescending(kv => kv.Value).Take(top)
            .Select(kv => $"  {100.0 * kv.Value / total,5:F1}%  {kv.Value / (double)Math.Max(1, messages),8:F1} B/msg  {kv.Key}");
        return $"allocation profile: {total / 1e6:N0} MB over {messages:N0} messages ({total / (double)Math.Max(1, messages):F0} B/msg)\n"
            + string.Join('\n', lines);
    }
}
