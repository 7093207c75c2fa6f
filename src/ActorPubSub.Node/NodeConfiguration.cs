using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;

namespace ActorPubSub.Node;

/// <summary>Reads <see cref="NodeSettings"/> from configuration (appsettings.json, environment, command line).</summary>
public static class NodeConfiguration
{
    /// <summary>Environment variables with this prefix configure the node: <c>ACTORPUBSUB_Node__Port=4055</c>.</summary>
    public const string EnvironmentPrefix = "ACTORPUBSUB_";

    /// <summary>
    /// Adds the <c>ACTORPUBSUB_</c> environment variables, then the command line again, so the command line
    /// (<c>--Node:Port=4055</c>) still wins over the environment, which wins over appsettings.json.
    /// </summary>
    public static IConfigurationBuilder AddNodeConfiguration(this IConfigurationBuilder configuration, string[] args) =>
        configuration.AddEnvironmentVariables(EnvironmentPrefix).AddCommandLine(args);

    /// <summary>
    /// Binds and validates the <c>Node</c> section. On failure <paramref name="error"/> is one line naming the
    /// setting and what is allowed.
    /// </summary>
    public static bool TryLoad(IConfiguration configuration, [NotNullWhen(true)] out NodeSettings? settings,
        [NotNullWhen(false)] out string? error)
    {
        settings = null;
        var section = configuration.GetSection(NodeSettings.SectionName);
        // A misspelt setting (Node:Prot) would otherwise be ignored silently.
        var known = typeof(NodeSettings).GetProperties().Where(p => p.CanWrite).Select(p => p.Name).ToArray();
        if (section.GetChildren().FirstOrDefault(c => !known.Contains(c.Key, StringComparer.OrdinalIgnoreCase)) is { } unknown)
        {
            error = $"Unknown setting {unknown.Path} ({EnvironmentPrefix}{unknown.Path.Replace(":", "__", StringComparison.Ordinal)}); "
                    + $"the settings of section {NodeSettings.SectionName} are {string.Join(", ", known)}.";
            return false;
        }
        // A single value would make the binder fail with a message about string[]; say what is expected instead.
        if (section[nameof(NodeSettings.SeedNodes)] is { } single)
        {
            error = NodeSettings.Invalid(nameof(NodeSettings.SeedNodes), single,
                $"give a list, one address per entry: {NodeSettings.SectionName}:SeedNodes:0, :1, ... "
                + $"({EnvironmentPrefix}{NodeSettings.SectionName}__SeedNodes__0, __1, ...)");
            return false;
        }
        try
        {
            settings = section.Get<NodeSettings>() ?? new NodeSettings();
        }
        catch (InvalidOperationException e)
        {
            // e.g. "Failed to convert configuration value 'abc' at 'Node:Port' to type 'System.Int32'."
            error = $"Invalid setting: {FirstLine(e.Message)}";
            return false;
        }

        error = settings.Validate();
        if (error is null) return true;
        settings = null;
        return false;
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
