using System.Globalization;
using System.Text.Json.Nodes;

namespace ActorPubSub.Cli;

/// <summary>
/// Turns a command's words into the JSON arguments the host expects, following the command's definition: positionals
/// in order (a repeated one takes the rest), <c>-k value</c>, <c>--key value</c>, <c>--key=value</c>, flags, options
/// given several times, and <c>--</c> before values that start with '-'. Anything that does not fit is a usage error
/// naming what was wrong; the host checks the values again (names, ranges) and answers 400 in the same way.
/// </summary>
public static class ArgumentParser
{
    public static JsonObject Parse(CommandSpec command, IReadOnlyList<string> args)
    {
        var json = new JsonObject();
        var positionals = command.Arguments.Where(a => a.IsPositional).ToList();
        var next = 0;
        var literal = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!literal && arg == "--")
            {
                literal = true;
                continue;
            }
            if (!literal && arg.Length > 1 && arg.StartsWith('-'))
            {
                var (spec, inline) = Option(command, arg);
                if (spec.IsFlag)
                {
                    if (inline is not null) throw Error(command, $"{Display(spec)} is a flag and takes no value");
                    json[spec.Name] = true;
                    continue;
                }
                var value = inline ?? (i + 1 < args.Count ? args[++i] : throw Error(command, $"{Display(spec)} needs a value ({spec.Syntax})"));
                Add(command, json, spec, value);
                continue;
            }
            if (next >= positionals.Count)
                throw Error(command, positionals.Count == 0
                    ? $"unexpected argument '{arg}': {command.Palette} {command.Name} takes no positional arguments"
                    : $"unexpected argument '{arg}': {command.Palette} {command.Name} takes {string.Join(" ", positionals.Select(p => p.Syntax))}");
            var positional = positionals[next];
            Add(command, json, positional, arg);
            if (!positional.Repeated) next++;
        }
        foreach (var missing in command.Arguments.Where(a => a.Required && !json.ContainsKey(a.Name)))
            throw Error(command, $"{Display(missing)} is required: {missing.Description}");
        return json;
    }

    private static (ArgumentSpec Spec, string? Inline) Option(CommandSpec command, string arg)
    {
        string name;
        string? inline = null;
        ArgumentSpec? spec;
        if (arg.StartsWith("--", StringComparison.Ordinal))
        {
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            name = equals < 0 ? arg[2..] : arg[2..equals];
            if (equals >= 0) inline = arg[(equals + 1)..];
            spec = command.Arguments.FirstOrDefault(a => !a.IsPositional && a.Name == name);
        }
        else
        {
            name = arg[1..];
            spec = command.Arguments.FirstOrDefault(a => !a.IsPositional && a.Short == name);
        }
        if (spec is null)
        {
            var options = command.Arguments.Where(a => !a.IsPositional).Select(a => a.Syntax).ToList();
            throw Error(command, $"unknown option {arg} for {command.Palette} {command.Name}"
                                 + (options.Count == 0 ? " (it has none)" : $"; its options are {string.Join(", ", options)}"));
        }
        return (spec, inline);
    }

    private static void Add(CommandSpec command, JsonObject json, ArgumentSpec spec, string text)
    {
        JsonNode value;
        if (spec.IsInteger)
        {
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                || number < (spec.Min ?? long.MinValue) || number > (spec.Max ?? long.MaxValue))
                throw Error(command, $"{Display(spec)} must be an integer{Range(spec)}, not '{text}'");
            value = JsonValue.Create(number);
        }
        else
        {
            if (text.Length == 0) throw Error(command, $"{Display(spec)} must not be empty");
            value = JsonValue.Create(text);
        }
        if (!spec.Repeated)
        {
            if (json.ContainsKey(spec.Name)) throw Error(command, $"{Display(spec)} is given twice");
            json[spec.Name] = value;
            return;
        }
        if (json[spec.Name] is not JsonArray list) json[spec.Name] = list = [];
        list.Add(value);
    }

    private static string Range(ArgumentSpec spec) => (spec.Min, spec.Max) switch
    {
        ({ } min, { } max) => $" between {min} and {max}",
        ({ } min, null) => $" of at least {min}",
        _ => "",
    };

    private static string Display(ArgumentSpec spec) => spec.IsPositional ? $"<{spec.Name}>" : spec.Syntax.Split(' ')[0];

    private static PbmException Error(CommandSpec command, string message) => PbmException.UsageError(message, command.Usage);
}
