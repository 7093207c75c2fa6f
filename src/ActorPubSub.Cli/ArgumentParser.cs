using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json.Nodes;

namespace ActorPubSub.Cli;

/// <summary>
/// Turns a command's words into the JSON arguments the host expects, following the command's definition: System.CommandLine
/// parses them against a command built from that definition (positionals in order, a repeated one takes the rest;
/// <c>-k value</c>, <c>--key value</c>, <c>--key=value</c>, flags, options given several times, <c>--</c> before values
/// that start with '-'). Anything that does not fit is a usage error naming what was wrong in pbm's words (the option's
/// syntax as the host wrote it) with the command's usage; the host checks the values again (names, ranges) and answers
/// 400 in the same way.
/// </summary>
public static class ArgumentParser
{
    // No response files (a text or topic may start with '@') and no bundling of short options (-kc7 is not -k c7 here).
    private static readonly ParserConfiguration Configuration = new() { ResponseFileTokenReplacer = null, EnablePosixBundling = false };

    public static JsonObject Parse(CommandSpec command, IReadOnlyList<string> args)
    {
        RefuseFlagValues(command, args);
        var (root, symbols) = Build(command);
        var result = root.Parse(args, Configuration);
        var literalFrom = IndexOf(args, "--");

        foreach (var token in result.UnmatchedTokens)
        {
            var index = IndexOf(args, token);
            if (token.Length > 1 && token.StartsWith('-') && (literalFrom < 0 || index < literalFrom)) throw UnknownOption(command, token);
            var positionals = command.Arguments.Where(a => a.IsPositional).ToList();
            throw Error(command, positionals.Count == 0
                ? $"unexpected argument '{token}': {command.Palette} {command.Name} takes no positional arguments"
                : $"unexpected argument '{token}': {command.Palette} {command.Name} takes {string.Join(" ", positionals.Select(p => p.Syntax))}");
        }

        var json = new JsonObject();
        foreach (var spec in command.Arguments)
        {
            var values = symbols[spec] switch
            {
                Option<bool> flag => result.GetResult(flag) is { } r && !r.Implicit ? ["true"] : [],
                Option option => Values(command, spec, result.GetResult(option)),
                Argument argument => result.GetResult(argument)?.Tokens.Select(t => t.Value).ToList() ?? [],
                _ => throw new InvalidOperationException(spec.Name),
            };
            if (values.Count == 0) continue;
            if (spec.IsFlag)
            {
                json[spec.Name] = true;
                continue;
            }
            if (!spec.Repeated)
            {
                json[spec.Name] = Value(command, spec, values[0]);
                continue;
            }
            var list = new JsonArray();
            foreach (var value in values) list.Add(Value(command, spec, value));
            json[spec.Name] = list;
        }
        foreach (var missing in command.Arguments.Where(a => a.Required && !json.ContainsKey(a.Name)))
            throw Error(command, $"{Display(missing)} is required: {missing.Description}");
        // Whatever System.CommandLine still objects to that the checks above did not name.
        if (result.Errors.Count > 0) throw Error(command, result.Errors[0].Message);
        return json;
    }

    /// <summary>The command as System.CommandLine sees it: every value as text (checked here, in pbm's words).</summary>
    private static (Command Root, Dictionary<ArgumentSpec, Symbol> Symbols) Build(CommandSpec command)
    {
        var root = new Command(command.Name.Replace(' ', '-'), command.Description);
        var symbols = new Dictionary<ArgumentSpec, Symbol>();
        foreach (var spec in command.Arguments)
        {
            if (spec.IsPositional)
            {
                Argument argument = spec.Repeated
                    ? new Argument<string[]>(spec.Name) { Arity = ArgumentArity.ZeroOrMore }
                    : new Argument<string>(spec.Name) { Arity = ArgumentArity.ZeroOrOne };
                root.Arguments.Add(argument);
                symbols[spec] = argument;
                continue;
            }
            var aliases = spec.Short is null ? Array.Empty<string>() : [$"-{spec.Short}"];
            Option option = spec.IsFlag
                ? new Option<bool>($"--{spec.Name}", aliases) { Arity = ArgumentArity.Zero }
                // Each occurrence takes one value; a second occurrence of a single option is refused below, by name.
                : new Option<string[]>($"--{spec.Name}", aliases) { Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = false };
            root.Options.Add(option);
            symbols[spec] = option;
        }
        return (root, symbols);
    }

    private static List<string> Values(CommandSpec command, ArgumentSpec spec, OptionResult? result)
    {
        if (result is null || result.Implicit) return [];
        var values = result.Tokens.Select(t => t.Value).ToList();
        if (values.Count < result.IdentifierTokenCount) throw Error(command, $"{Display(spec)} needs a value ({spec.Syntax})");
        if (!spec.Repeated && result.IdentifierTokenCount > 1) throw Error(command, $"{Display(spec)} is given twice");
        return values;
    }

    /// <summary><c>--all=yes</c>: System.CommandLine would read a boolean; a flag of ours takes no value at all.</summary>
    private static void RefuseFlagValues(CommandSpec command, IReadOnlyList<string> args)
    {
        foreach (var arg in args.TakeWhile(a => a != "--"))
        {
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (!arg.StartsWith("--", StringComparison.Ordinal) || equals < 0) continue;
            var spec = command.Arguments.FirstOrDefault(a => a.IsFlag && a.Name == arg[2..equals]);
            if (spec is not null) throw Error(command, $"{Display(spec)} is a flag and takes no value");
        }
    }

    private static JsonNode Value(CommandSpec command, ArgumentSpec spec, string text)
    {
        if (!spec.IsInteger && !spec.IsPositional && spec.Name.EndsWith("-file", StringComparison.Ordinal) && text.Length > 0)
            return JsonValue.Create(ReadFile(command, spec, text, binary: false));
        if (!spec.IsInteger && !spec.IsPositional && spec.Name.EndsWith("-descriptor-set", StringComparison.Ordinal) && text.Length > 0)
            return JsonValue.Create(ReadFile(command, spec, text, binary: true));
        if (!spec.IsInteger)
            return text.Length == 0 ? throw Error(command, $"{Display(spec)} must not be empty") : JsonValue.Create(text);
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            || number < (spec.Min ?? long.MinValue) || number > (spec.Max ?? long.MaxValue))
            throw Error(command, $"{Display(spec)} must be an integer{Range(spec)}, not '{text}'");
        return JsonValue.Create(number);
    }

    /// <summary>
    /// An option named <c>*-file</c> (<c>catalog register --schema-file</c>) names a file on pbm's machine: pbm sends its
    /// text, since the node cannot read the operator's files. One named <c>*-descriptor-set</c> (<c>--proto-descriptor-set</c>)
    /// names a binary file (protoc's output): pbm sends its bytes in base64.
    /// </summary>
    private static string ReadFile(CommandSpec command, ArgumentSpec spec, string path, bool binary)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > 1024 * 1024) throw Error(command, $"{Display(spec)} '{path}' is {info.Length} bytes; at most 1 MiB is read");
            return binary ? Convert.ToBase64String(File.ReadAllBytes(path)) : File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw Error(command, $"{Display(spec)} '{path}' cannot be read: {e.Message}");
        }
    }

    private static PbmException UnknownOption(CommandSpec command, string arg)
    {
        var options = command.Arguments.Where(a => !a.IsPositional).Select(a => a.Syntax).ToList();
        return Error(command, $"unknown option {arg} for {command.Palette} {command.Name}"
                              + (options.Count == 0 ? " (it has none)" : $"; its options are {string.Join(", ", options)}"));
    }

    private static int IndexOf(IReadOnlyList<string> args, string value)
    {
        for (var i = 0; i < args.Count; i++)
            if (args[i] == value) return i;
        return -1;
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
