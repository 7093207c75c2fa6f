using ActorPubSub.Node;

namespace ActorPubSub.Tests.Node;

/// <summary>
/// The node's report of its tiering resolves the setting as the runtime does: a DOTNET_ variable (hexadecimal) over
/// the runtimeconfig property (a C number) over the runtime's default of 100 ms; tiering switched off says so. The
/// thread pool's spin limit likewise.
/// </summary>
public sealed class NodeRuntimeSpec
{
    [Theory]
    [InlineData(null, null, null, null, "on, call-counting delay 100 ms (runtime default)")]
    [InlineData(null, null, null, "0", "on, call-counting delay 0 ms (runtimeconfig)")]
    [InlineData(null, null, null, "0x20", "on, call-counting delay 32 ms (runtimeconfig)")]
    [InlineData(null, null, "64", "0", "on, call-counting delay 100 ms (DOTNET_TC_CallCountingDelayMs)")]
    [InlineData(null, null, "0", null, "on, call-counting delay 0 ms (DOTNET_TC_CallCountingDelayMs)")]
    [InlineData(null, null, "not a number", "0", "on, call-counting delay 0 ms (runtimeconfig)")]
    [InlineData("0", null, null, "0", "off (fully optimised at first call, no dynamic PGO)")]
    [InlineData(null, "false", null, "0", "off (fully optimised at first call, no dynamic PGO)")]
    [InlineData("1", "false", null, "0", "on, call-counting delay 0 ms (runtimeconfig)")]
    public void Tiering_should_be_reported_as_the_runtime_resolves_it(string? enabledVariable, string? enabledProperty,
        string? delayVariable, string? delayProperty, string expected) =>
        Assert.Equal(expected, NodeRuntime.Tiering(enabledVariable, enabledProperty, delayVariable, delayProperty));

    [Theory]
    [InlineData(null, null, "thread-pool spin limit as the runtime defaults")]
    [InlineData(null, "0", "thread-pool spin limit 0 (runtimeconfig)")]
    [InlineData("46", "0", "thread-pool spin limit 70 (DOTNET_ThreadPool_UnfairSemaphoreSpinLimit)")]
    [InlineData("0x10", null, "thread-pool spin limit 16 (DOTNET_ThreadPool_UnfairSemaphoreSpinLimit)")]
    [InlineData("not a number", "0", "thread-pool spin limit 0 (runtimeconfig)")]
    public void The_spin_limit_should_be_reported_as_the_runtime_resolves_it(string? variable, string? property, string expected) =>
        Assert.Equal(expected, NodeRuntime.SpinLimit(variable, property));

    [Fact]
    public void Describe_should_name_the_runtime_version_the_GC_mode_the_tiering_and_the_spin_limit() =>
        Assert.Matches(@"^\.NET \d+\.\d+\.\d+, (server|workstation) GC \((non-)?concurrent\), tiered compilation (on|off).*, thread-pool spin limit ",
            NodeRuntime.Describe());
}
