namespace ActorPubSub.Server.Admin;

/// <summary>How an argument is given on the pbm command line.</summary>
internal enum ArgumentKind
{
    /// <summary>By position: <c>pbm pubsub topic orders</c>.</summary>
    Positional,
    /// <summary>With a value: <c>-k customer-7</c> or <c>--key customer-7</c>.</summary>
    Option,
    /// <summary>On or off: <c>--all</c>.</summary>
    Flag,
}

/// <summary>The type of an argument's value (a flag is a boolean).</summary>
internal enum ArgumentType
{
    String,
    Integer,
}

/// <summary>
/// One argument of an admin command: its JSON name (also its long option, <c>--name</c>), how it is given, its type and
/// the values allowed. The server validates requests against it and pbm parses command lines with it (it gets the
/// definitions from <c>GET /admin/v1/palettes</c>).
/// </summary>
internal sealed record CommandArgument(string Name, ArgumentKind Kind, string Description)
{
    /// <summary>One-letter alias of an option or flag: <c>-k</c>.</summary>
    public char? Short { get; init; }

    public ArgumentType Type { get; init; } = ArgumentType.String;

    public bool Required { get; init; }

    /// <summary>Given several times (an option) or as the last positionals (a positional): a JSON array.</summary>
    public bool Repeated { get; init; }

    /// <summary>Smallest and largest integer allowed.</summary>
    public long? Min { get; init; }

    public long? Max { get; init; }

    /// <summary>What the value looks like, for the usage: <c>name=value</c>, <c>akka.tcp://system@host:port</c>.</summary>
    public string? ValueName { get; init; }

    public static CommandArgument Positional(string name, string description, bool required = true) =>
        new(name, ArgumentKind.Positional, description) { Required = required };

    public static CommandArgument Option(string name, char? shortName, string description) =>
        new(name, ArgumentKind.Option, description) { Short = shortName };

    public static CommandArgument Flag(string name, char? shortName, string description) =>
        new(name, ArgumentKind.Flag, description) { Short = shortName };

    /// <summary><c>-k|--key &lt;key&gt;</c>, <c>&lt;topic&gt;</c>, <c>--all</c>: how the usage shows it.</summary>
    public string Syntax
    {
        get
        {
            var value = $"<{ValueName ?? Name}>";
            var names = Short is { } s ? $"-{s}|--{Name}" : $"--{Name}";
            return Kind switch
            {
                ArgumentKind.Positional => Repeated ? $"{value}..." : value,
                ArgumentKind.Flag => names,
                _ => $"{names} {value}" + (Repeated ? "..." : ""),
            };
        }
    }

    /// <summary>What values are allowed, for error messages: "an integer between 1 and 1000".</summary>
    public string Rule => Type switch
    {
        ArgumentType.Integer when Min is { } min && Max is { } max => $"must be an integer between {min} and {max}",
        ArgumentType.Integer when Min is { } min => $"must be an integer of at least {min}",
        ArgumentType.Integer => "must be an integer",
        _ when Kind == ArgumentKind.Flag => "is a flag: true or false",
        _ => "must be a non-empty string",
    };
}
