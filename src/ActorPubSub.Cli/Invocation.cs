using System.Globalization;

namespace ActorPubSub.Cli;

/// <summary>
/// pbm's own options, recognized anywhere before <c>--</c>: <c>--token</c>, <c>--json</c>, <c>--timeout</c>, <c>-h|--help</c>,
/// <c>--version</c>; then an optional target (<c>host:port</c>) and the words of the command. Everything else is left
/// to the command's own parser (its arguments come from the host).
/// </summary>
public sealed record Invocation(AdminTarget Target, string? Token, bool Json, TimeSpan Timeout, bool Help, bool Version, IReadOnlyList<string> Words)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(150);

    /// <summary>Names commands must not use for their own options: pbm takes them.</summary>
    public static IReadOnlyList<string> Reserved { get; } = ["token", "json", "timeout", "help", "version", "h"];

    /// <summary>Where a token comes from when <c>--token</c> is not given, in order.</summary>
    public static IReadOnlyList<string> TokenVariables { get; } = ["PBM_TOKEN", "ACTORPUBSUB_Node__AdminToken", "ACTORPUBSUB_Lighthouse__AdminToken"];

    public const string Usage = "usage: pbm [host:port] <palette> <command> [arguments] [--json] [--token <token>] [--timeout <seconds>]";

    /// <param name="environment">For the token variables.</param>
    public static Invocation Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        string? token = null;
        bool json = false, help = false, version = false;
        var timeout = DefaultTimeout;
        var words = new List<string>();
        var literal = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (literal || !arg.StartsWith('-'))
            {
                words.Add(arg);
                continue;
            }
            var (name, inline) = Split(arg);
            switch (name)
            {
                case "--":
                    literal = true;
                    words.Add(arg);   // the command's parser sees it too: what follows are plain values
                    break;
                case "--json": json = true; break;
                case "-h" or "--help": help = true; break;
                case "--version": version = true; break;
                case "--token": token = inline ?? Value(args, ref i, name); break;
                case "--timeout":
                    var text = inline ?? Value(args, ref i, name);
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds is < 1 or > 86_400)
                        throw PbmException.UsageError($"--timeout must be a number of seconds between 1 and 86400, not '{text}'", Usage);
                    timeout = TimeSpan.FromSeconds(seconds);
                    break;
                default: words.Add(arg); break;   // a command option
            }
        }
        var target = AdminTarget.Default;
        if (words.Count > 0 && AdminTarget.LooksLikeTarget(words[0]))
        {
            target = AdminTarget.Parse(words[0]);
            words.RemoveAt(0);
        }
        token ??= TokenVariables.Select(environment).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
        if (token is { Length: 0 }) throw PbmException.UsageError("--token must not be empty", Usage);
        return new Invocation(target, token?.Trim(), json, timeout, help, version, words);
    }

    private static (string Name, string? Inline) Split(string arg)
    {
        if (!arg.StartsWith("--", StringComparison.Ordinal)) return (arg, null);
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? (arg, null) : (arg[..equals], arg[(equals + 1)..]);
    }

    private static string Value(IReadOnlyList<string> args, ref int i, string name)
    {
        if (i + 1 >= args.Count) throw PbmException.UsageError($"{name} needs a value", Usage);
        return args[++i];
    }
}
