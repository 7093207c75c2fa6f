using System.Collections;

namespace ActorPubSub.Server.Configuration;

/// <summary>
/// The environment variables of the well-known Lighthouse image (<c>ACTORSYSTEM</c>, <c>CLUSTER_IP</c>,
/// <c>CLUSTER_PORT</c>, <c>CLUSTER_SEEDS</c>), read by the broker node and by lighthouse alike and mapped onto
/// their settings.
/// </summary>
/// <remarks>
/// Precedence (highest first): the command line, the app's own <c>ACTORPUBSUB_&lt;Section&gt;__&lt;Setting&gt;</c>
/// variables, these variables, appsettings.json. The specific name wins over the generic one, so an image-style
/// deployment can still override one setting the usual way.
/// </remarks>
internal static class ClusterEnvironment
{
    /// <summary>Name of the ActorSystem (every member of a cluster uses the same one).</summary>
    public const string ActorSystem = "ACTORSYSTEM";

    /// <summary>Host name or IP address this member advertises: how the others reach it.</summary>
    public const string ClusterIp = "CLUSTER_IP";

    /// <summary>Akka.Remote port.</summary>
    public const string ClusterPort = "CLUSTER_PORT";

    /// <summary>Comma-separated seed node addresses, <c>akka.tcp://actorpubsub@host:4053,...</c>.</summary>
    public const string ClusterSeeds = "CLUSTER_SEEDS";

    /// <summary>Each variable and the setting (property name) it sets.</summary>
    public static IReadOnlyList<(string Variable, string Setting)> Variables { get; } =
    [
        (ActorSystem, "ActorSystemName"),
        (ClusterIp, "PublicHostname"),
        (ClusterPort, "Port"),
        (ClusterSeeds, "SeedNodes"),
    ];

    /// <summary>
    /// The configuration keys (<c>Section:Setting</c>, seeds as <c>Section:SeedNodes:0</c>, <c>:1</c>, ...) that the
    /// variables set in <paramref name="environment"/>. Empty variables count as unset.
    /// </summary>
    public static Dictionary<string, string?> ToConfiguration(string section, IDictionary environment)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (variable, setting) in Variables)
        {
            if (environment[variable] is not string value || string.IsNullOrWhiteSpace(value)) continue;
            if (variable == ClusterSeeds)
            {
                var seeds = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                for (var i = 0; i < seeds.Length; i++) values[$"{section}:{setting}:{i}"] = seeds[i];
            }
            else
            {
                values[$"{section}:{setting}"] = value.Trim();
            }
        }
        return values;
    }

    /// <summary>The image-style variable that sets <paramref name="setting"/>, if any.</summary>
    public static string? VariableFor(string setting) =>
        Variables.FirstOrDefault(v => string.Equals(v.Setting, setting, StringComparison.OrdinalIgnoreCase)).Variable;
}
