using System.Text.Json;

namespace ActorPubSub.Server.Admin;

/// <summary>
/// Checks a request body (a JSON object of named arguments) against a command's <see cref="CommandArgument"/>s: known
/// names only, the right JSON types, integers in range, required ones present. Any mismatch is a 400 naming the
/// argument and what is allowed, with the command's usage. Text that cannot become a .NET string (a lone surrogate such
/// as <c>"\ud800"</c>, bytes that are not UTF-8) is such a mismatch too, not a failure of the host.
/// </summary>
internal static class ArgumentBinder
{
    public static CommandArgs Bind(string palette, AdminCommand command, JsonElement body)
    {
        var usage = command.Usage(palette);
        if (body.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return Bind(command, usage, default, empty: true);
        if (body.ValueKind != JsonValueKind.Object)
            throw new AdminException(400, $"the request body must be a JSON object of arguments, not {Describe(body.ValueKind)}",
                new System.Text.Json.Nodes.JsonObject { ["usage"] = usage });
        return Bind(command, usage, body, empty: false);
    }

    private static CommandArgs Bind(AdminCommand command, string usage, JsonElement body, bool empty)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        if (!empty)
        {
            foreach (var property in body.EnumerateObject())
            {
                var name = NameOf(property, usage);
                var argument = command.Arguments.FirstOrDefault(a => a.Name == name)
                               ?? throw AdminException.BadArgument(name,
                                   command.Arguments.Count == 0
                                       ? "unknown argument; this command takes none"
                                       : $"unknown argument; the arguments are {string.Join(", ", command.Arguments.Select(a => a.Name))}",
                                   usage);
                if (property.Value.ValueKind == JsonValueKind.Null) continue;
                values[argument.Name] = Value(argument, property.Value, usage);
            }
        }
        foreach (var argument in command.Arguments.Where(a => a.Required && !values.ContainsKey(a.Name)))
            throw AdminException.BadArgument(argument.Name, $"is required ({argument.Description})", usage);
        return new CommandArgs(values, usage);
    }

    private static object Value(CommandArgument argument, JsonElement value, string usage)
    {
        if (argument.Kind == ArgumentKind.Flag)
        {
            return value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw AdminException.BadArgument(argument.Name, argument.Rule, usage),
            };
        }
        if (!argument.Repeated) return Single(argument, value, usage);
        if (value.ValueKind != JsonValueKind.Array)
            throw AdminException.BadArgument(argument.Name, $"must be a JSON array whose elements each {argument.Rule}", usage);
        if (argument.Type == ArgumentType.Integer)
            return value.EnumerateArray().Select(v => (long)Single(argument, v, usage)).ToList();
        return value.EnumerateArray().Select(v => (string)Single(argument, v, usage)).ToList();
    }

    private static object Single(CommandArgument argument, JsonElement value, string usage)
    {
        if (argument.Type == ArgumentType.Integer)
        {
            // Integers may come as JSON numbers or as strings (what a command line gives).
            var ok = value.ValueKind switch
            {
                JsonValueKind.Number => value.TryGetInt64(out var n) ? n : (long?)null,
                JsonValueKind.String => long.TryParse(Text(argument, value, usage), System.Globalization.NumberStyles.AllowLeadingSign,
                    System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : null,
                _ => null,
            };
            if (ok is not { } number || number < (argument.Min ?? long.MinValue) || number > (argument.Max ?? long.MaxValue))
                throw AdminException.BadArgument(argument.Name, $"{argument.Rule}, not {Show(value)}", usage);
            return number;
        }
        if (value.ValueKind != JsonValueKind.String || Text(argument, value, usage) is not { Length: > 0 } text)
            throw AdminException.BadArgument(argument.Name, $"{argument.Rule}, not {Show(value)}", usage);
        return text;
    }

    /// <summary>
    /// The string's value. <see cref="JsonElement.GetString"/> throws <see cref="InvalidOperationException"/> for text
    /// that has no UTF-16 form (a lone surrogate escape, invalid UTF-8): that is the caller's bad input, a 400.
    /// </summary>
    private static string? Text(CommandArgument argument, JsonElement value, string usage)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            throw AdminException.BadArgument(argument.Name, $"{NotText}; {argument.Rule}", usage);
        }
    }

    private static string NameOf(JsonProperty property, string usage)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            throw new AdminException(400, $"an argument name {NotText}", new System.Text.Json.Nodes.JsonObject { ["usage"] = usage });
        }
    }

    private const string NotText = "is not valid text: it holds a lone UTF-16 surrogate (e.g. \\ud800) or bytes that are not UTF-8";

    private static string Show(JsonElement value)
    {
        string raw;
        try
        {
            raw = value.GetRawText();
        }
        catch (InvalidOperationException)
        {
            return "a value that is not valid text";   // invalid UTF-8 inside an array or object
        }
        if (raw.Length <= 40) return raw;
        // Never cut a surrogate pair in two: half a pair is no text either.
        return raw[..(char.IsHighSurrogate(raw[39]) ? 39 : 40)] + "...";
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
