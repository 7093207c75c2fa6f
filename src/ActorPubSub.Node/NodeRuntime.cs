using System.Globalization;
using System.Runtime;

namespace ActorPubSub.Node;

/// <summary>
/// What the .NET runtime under the node runs with, for the start-up log: the GC mode, how tiered compilation
/// promotes hot methods and how long an idle thread-pool worker spins. They decide the node's speed (its first minute
/// above all) and its CPU, and the environment can change them without the node knowing, so it says what it got.
/// </summary>
internal static class NodeRuntime
{
    /// <summary>The runtimeconfig property the node's project sets to 0 (see ActorPubSub.Node.csproj).</summary>
    public const string CallCountingDelayProperty = "System.Runtime.TieredCompilation.CallCountingDelayMs";

    private const string TieredCompilationProperty = "System.Runtime.TieredCompilation";

    /// <summary>
    /// How long an idle thread-pool worker spins before it sleeps; 0 trades latency for CPU (docs/deployment.md).
    /// </summary>
    public const string SpinLimitProperty = "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit";

    /// <summary>The runtime's own default: a method is promoted only after 100 ms without new tier-0 compilation.</summary>
    public const int RuntimeDefaultDelayMs = 100;

    public static string Describe() =>
        $".NET {Environment.Version}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC " +
        $"({(GCSettings.LatencyMode == GCLatencyMode.Batch ? "non-concurrent" : "concurrent")}), tiered compilation " +
        Tiering(Variable("TieredCompilation"), AppContext.GetData(TieredCompilationProperty)?.ToString(),
            Variable("TC_CallCountingDelayMs"), AppContext.GetData(CallCountingDelayProperty)?.ToString()) +
        ", " + SpinLimit(Variable("ThreadPool_UnfairSemaphoreSpinLimit"), AppContext.GetData(SpinLimitProperty)?.ToString());

    /// <summary>
    /// The thread pool's spin limit as the runtime resolves it: the <c>DOTNET_</c> variable (hexadecimal) over the
    /// runtimeconfig property over the runtime's own default.
    /// </summary>
    public static string SpinLimit(string? variable, string? property) =>
        Hex(variable) is { } fromVariable and >= 0 ? $"thread-pool spin limit {fromVariable} (DOTNET_ThreadPool_UnfairSemaphoreSpinLimit)"
        : Number(property) is { } fromProperty and >= 0 ? $"thread-pool spin limit {fromProperty} (runtimeconfig)"
        : "thread-pool spin limit as the runtime defaults";

    /// <summary>
    /// How tiering is set, as the runtime resolves it: a <c>DOTNET_</c> (or legacy <c>COMPlus_</c>) variable wins over the
    /// runtimeconfig property, and the runtime reads those variables as hexadecimal, the property as a C number.
    /// </summary>
    public static string Tiering(string? enabledVariable, string? enabledProperty, string? delayVariable, string? delayProperty)
    {
        if (Hex(enabledVariable) is 0 || (enabledVariable is null && string.Equals(enabledProperty, "false", StringComparison.OrdinalIgnoreCase)))
            return "off (fully optimised at first call, no dynamic PGO)";
        var (delay, source) = Hex(delayVariable) is { } fromVariable ? (fromVariable, "DOTNET_TC_CallCountingDelayMs")
            : Number(delayProperty) is { } fromProperty ? (fromProperty, "runtimeconfig")
            : (RuntimeDefaultDelayMs, "runtime default");
        return $"on, call-counting delay {delay} ms ({source})";
    }

    private static string? Variable(string name) =>
        Environment.GetEnvironmentVariable("DOTNET_" + name) ?? Environment.GetEnvironmentVariable("COMPlus_" + name);

    private static long? Hex(string? value)
    {
        var digits = value?.Trim();
        if (digits?.StartsWith("0x", StringComparison.OrdinalIgnoreCase) == true) digits = digits[2..];
        return long.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    private static long? Number(string? value) => value?.Trim() switch
    {
        null => null,
        var v when v.StartsWith("0x", StringComparison.OrdinalIgnoreCase) => Hex(v),
        var v => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null,
    };
}
