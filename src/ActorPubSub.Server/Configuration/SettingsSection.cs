using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace ActorPubSub.Server.Configuration;

/// <summary>
/// One settings section of a program (<c>Node</c>, <c>Lighthouse</c>) bound to a settings class: the names of each
/// setting in configuration and in the environment, and binding that fails with one line naming the setting.
/// </summary>
internal sealed class SettingsSection<T>(string name) where T : class, new()
{
    /// <summary>Environment variables with this prefix configure the programs: <c>ACTORPUBSUB_Node__Port=4055</c>.</summary>
    public const string EnvironmentPrefix = "ACTORPUBSUB_";

    private static readonly PropertyInfo[] Settable = typeof(T).GetProperties().Where(p => p.CanWrite).ToArray();

    public string Name { get; } = name;

    /// <summary>Names of the settings (the writable properties of <typeparamref name="T"/>).</summary>
    public IReadOnlyList<string> Settings { get; } = Settable.Select(p => p.Name).ToArray();

    /// <summary>
    /// Every environment variable the program reads for this section: <c>ACTORPUBSUB_&lt;Section&gt;__&lt;Setting&gt;</c>
    /// for each setting (lists as <c>__&lt;n&gt;</c>: <c>__0</c>, <c>__1</c>, ...) and the image-style
    /// <see cref="ClusterEnvironment"/> variables.
    /// </summary>
    public IReadOnlyList<string> EnvironmentVariables =>
    [
        .. Settable.Select(p => EnvironmentName(p.Name) + (p.PropertyType.IsArray ? "__<n>" : "")),
        .. ClusterEnvironment.Variables.Select(v => v.Variable),
    ];

    /// <summary>True when the program reads <paramref name="variable"/> (as the configuration providers match it).</summary>
    public bool ReadsEnvironmentVariable(string variable)
    {
        if (ClusterEnvironment.Variables.Any(v => v.Variable == variable)) return true;   // read by exact name
        var prefix = $"{EnvironmentPrefix}{Name}__";                                         // matched ignoring case
        if (!variable.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return false;
        var parts = variable[prefix.Length..].Split("__");
        var property = Settable.FirstOrDefault(p => string.Equals(p.Name, parts[0], StringComparison.OrdinalIgnoreCase));
        return property is not null && (property.PropertyType.IsArray
            ? parts.Length == 2 && int.TryParse(parts[1], out var index) && index >= 0
            : parts.Length == 1);
    }

    /// <summary><c>ACTORPUBSUB_Node__Port</c> for <c>Port</c>, <c>ACTORPUBSUB_Node__SeedNodes__0</c> for <c>SeedNodes:0</c>.</summary>
    public string EnvironmentName(string setting) =>
        $"{EnvironmentPrefix}{Name}__{setting.Replace(":", "__", StringComparison.Ordinal)}";

    /// <summary><c>Node:Port (ACTORPUBSUB_Node__Port or CLUSTER_PORT)</c>: where a setting can be given.</summary>
    public string Describe(string setting)
    {
        var alias = ClusterEnvironment.VariableFor(setting.Split(':')[0]);
        return $"{Name}:{setting} ({EnvironmentName(setting)}{(alias is null ? "" : $" or {alias}")})";
    }

    /// <summary>One line naming the setting (configuration key and environment variables), its value and what is allowed.</summary>
    public string Invalid(string setting, object? value, string rule) => $"Invalid setting {Describe(setting)} = '{value}': {rule}.";

    /// <summary>
    /// Binds the section. On failure <paramref name="error"/> is one line naming the setting and what is allowed;
    /// unknown settings are refused, since a misspelt one (<c>Node:Prot</c>) would otherwise be ignored silently.
    /// </summary>
    public bool TryBind(IConfiguration configuration, [NotNullWhen(true)] out T? settings, [NotNullWhen(false)] out string? error)
    {
        settings = null;
        var section = configuration.GetSection(Name);
        if (section.GetChildren().FirstOrDefault(c => !Settings.Contains(c.Key, StringComparer.OrdinalIgnoreCase)) is { } unknown)
        {
            error = $"Unknown setting {unknown.Path} ({EnvironmentName(unknown.Key)}); the settings of section {Name} are {string.Join(", ", Settings)}.";
            return false;
        }
        // A single value for a list would make the binder fail with a message about string[]; say what is expected instead.
        foreach (var list in Settable.Where(p => p.PropertyType.IsArray))
        {
            if (section[list.Name] is not { } single) continue;
            var alias = ClusterEnvironment.VariableFor(list.Name);
            error = Invalid(list.Name, single,
                $"give a list, one entry per index: {Name}:{list.Name}:0, :1, ... ({EnvironmentName(list.Name)}__0, __1, ...)"
                + (alias is null ? "" : $" or {alias}=first,second"));
            return false;
        }
        try
        {
            settings = section.Get<T>() ?? new T();
        }
        catch (InvalidOperationException e)
        {
            // e.g. "Failed to convert configuration value 'abc' at 'Node:Port' to type 'System.Int32'."
            var message = e.Message.Split('\n', 2)[0].Trim();
            var setting = Settings.FirstOrDefault(s => message.Contains($"'{Name}:{s}'", StringComparison.OrdinalIgnoreCase));
            error = setting is null ? $"Invalid setting: {message}" : $"Invalid setting {Describe(setting)}: {message}";
            return false;
        }
        error = null;
        return true;
    }
}
