namespace ActorPubSub.Server.Admin;

/// <summary>Runs a command and returns its whole result.</summary>
internal delegate Task<CommandResult> CommandHandler(AdminContext context, CommandArgs args);

/// <summary>Runs a streaming command (<c>pubsub tail</c>): events until the caller goes away or the stream ends.</summary>
internal delegate IAsyncEnumerable<CommandEvent> StreamHandler(AdminContext context, CommandArgs args);

/// <summary>
/// One admin command: its name within its palette (one or more words, e.g. <c>show</c>, <c>dlq list</c>), what it does,
/// its arguments and its handler.
/// </summary>
internal sealed record AdminCommand(string Name, string Description, IReadOnlyList<CommandArgument> Arguments)
{
    /// <summary>The default bound on a command's work; commands that ask many actors set more.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    public CommandHandler? Run { get; init; }

    public StreamHandler? Stream { get; init; }

    /// <summary>How long the command may take before it answers 504 (streams: until their first event).</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    public bool IsStreaming => Stream is not null;

    /// <summary>The command's words in a URL: <c>dlq/list</c>.</summary>
    public string Path => Name.Replace(' ', '/');

    /// <summary><c>pbm pubsub publish &lt;topic&gt; &lt;text&gt; [-k|--key &lt;key&gt;]...</c></summary>
    public string Usage(string palette)
    {
        var parts = new List<string> { "pbm", palette, Name };
        foreach (var argument in Arguments)
            parts.Add(argument.Required ? argument.Syntax : $"[{argument.Syntax}]");
        return string.Join(' ', parts);
    }
}
