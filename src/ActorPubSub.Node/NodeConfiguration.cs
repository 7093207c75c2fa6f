using System.Diagnostics.CodeAnalysis;
using ActorPubSub.Server.Configuration;
using Microsoft.Extensions.Configuration;

namespace ActorPubSub.Node;

/// <summary>
/// Reads <see cref="NodeSettings"/> from configuration. Precedence, highest first: the command line
/// (<c>--Node:Port=4055</c>), <c>ACTORPUBSUB_Node__*</c> environment variables, the Lighthouse image's
/// <c>ACTORSYSTEM</c>/<c>CLUSTER_IP</c>/<c>CLUSTER_PORT</c>/<c>CLUSTER_SEEDS</c>, appsettings.json.
/// </summary>
public static class NodeConfiguration
{
    /// <summary>Environment variables with this prefix configure the node: <c>ACTORPUBSUB_Node__Port=4055</c>.</summary>
    public const string EnvironmentPrefix = SettingsSection<NodeSettings>.EnvironmentPrefix;

    /// <summary>
    /// Adds the image-style variables (mapped onto Node settings), the <c>ACTORPUBSUB_</c> environment variables, then
    /// the command line again, so the command line still wins over the environment, which wins over appsettings.json.
    /// </summary>
    public static IConfigurationBuilder AddNodeConfiguration(this IConfigurationBuilder configuration, string[] args) =>
        configuration
            .AddInMemoryCollection(ClusterEnvironment.ToConfiguration(NodeSettings.SectionName, Environment.GetEnvironmentVariables()))
            .AddEnvironmentVariables(EnvironmentPrefix)
            .AddCommandLine(args);

    /// <summary>
    /// Binds and validates the <c>Node</c> section. On failure <paramref name="error"/> is one line naming the
    /// setting and what is allowed.
    /// </summary>
    public static bool TryLoad(IConfiguration configuration, [NotNullWhen(true)] out NodeSettings? settings,
        [NotNullWhen(false)] out string? error)
    {
        if (!NodeSettings.Section.TryBind(configuration, out settings, out error)) return false;
        error = settings.Validate();
        if (error is null) return true;
        settings = null;
        return false;
    }
}
