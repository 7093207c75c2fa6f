using System.Diagnostics.CodeAnalysis;
using ActorPubSub.Server.Configuration;
using Microsoft.Extensions.Configuration;

namespace ActorPubSub.Lighthouse;

/// <summary>
/// Reads <see cref="LighthouseSettings"/>. Precedence, highest first: the command line (<c>--Lighthouse:Port=4053</c>),
/// <c>ACTORPUBSUB_Lighthouse__*</c> environment variables, <c>ACTORSYSTEM</c>/<c>CLUSTER_IP</c>/<c>CLUSTER_PORT</c>/<c>CLUSTER_SEEDS</c>,
/// appsettings.json.
/// </summary>
public static class LighthouseConfiguration
{
    public static IConfigurationBuilder AddLighthouseConfiguration(this IConfigurationBuilder configuration, string[] args) =>
        configuration
            .AddInMemoryCollection(ClusterEnvironment.ToConfiguration(LighthouseSettings.SectionName, Environment.GetEnvironmentVariables()))
            .AddEnvironmentVariables(SettingsSection<LighthouseSettings>.EnvironmentPrefix)
            .AddCommandLine(args);

    /// <summary>Binds and validates the <c>Lighthouse</c> section; on failure <paramref name="error"/> is one line naming the setting.</summary>
    public static bool TryLoad(IConfiguration configuration, [NotNullWhen(true)] out LighthouseSettings? settings,
        [NotNullWhen(false)] out string? error)
    {
        if (!LighthouseSettings.Section.TryBind(configuration, out settings, out error)) return false;
        error = settings.Validate();
        if (error is null) return true;
        settings = null;
        return false;
    }
}
