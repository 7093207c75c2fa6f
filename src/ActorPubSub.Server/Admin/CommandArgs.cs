namespace ActorPubSub.Server.Admin;

/// <summary>
/// The validated arguments of one admin request (types and ranges already checked by <see cref="ArgumentBinder"/>).
/// <see cref="Invalid"/> makes the 400 answer for a value that is well-formed but not allowed (a bad topic name).
/// </summary>
internal sealed class CommandArgs(IReadOnlyDictionary<string, object> values, string usage)
{
    public static CommandArgs Empty(string usage) => new(new Dictionary<string, object>(), usage);

    public string Usage { get; } = usage;

    public string? String(string name) => values.GetValueOrDefault(name) as string;

    public string RequiredString(string name) =>
        String(name) ?? throw Invalid(name, "is required");

    public long? Integer(string name) => values.GetValueOrDefault(name) is long value ? value : null;

    public bool Flag(string name) => values.GetValueOrDefault(name) is true;

    public IReadOnlyList<string> Strings(string name) => values.GetValueOrDefault(name) as IReadOnlyList<string> ?? [];

    public IReadOnlyList<long> Integers(string name) => values.GetValueOrDefault(name) as IReadOnlyList<long> ?? [];

    public AdminException Invalid(string name, string rule) => AdminException.BadArgument(name, rule, Usage);
}
