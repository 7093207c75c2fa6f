using ActorPubSub.Node;

namespace ActorPubSub.Tests.Node;

/// <summary>
/// The node's report of its tiering resolves the setting as the runtime does: a DOTNET_ variable (hexadecimal) over
/// the runtimeconfig property (a C number) over the runtime's default of 100 ms; tiering switched off says so.
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

    [Fact]
    public void Describe_should_name_the_runtime_version_the_GC_mode_and_the_tiering() =>
        Assert.Matches(@"^\.NET \d+\.\d+\.\d+, (server|workstation) GC \((non-)?concurrent\), tiered compilation (on|off)",
            NodeRuntime.Describe());
}
