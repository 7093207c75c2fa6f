using System.Text;
using System.Text.Json;
using ActorPubSub.Cli;

namespace ActorPubSub.Tests.Cli;

/// <summary>
/// pbm called in-process through its entry point (<see cref="Pbm.RunAsync"/>) with captured stdout and stderr, an
/// environment of its own (no PBM_TOKEN of the machine leaks in) and an optional input for the prompt. A run can be
/// started in the background and interrupted (what Ctrl-C does), for tails.
/// </summary>
public sealed class PbmRun
{
    private readonly SynchronizedWriter _out = new();
    private readonly SynchronizedWriter _error = new();
    private readonly CancellationTokenSource _interrupt = new();

    private PbmRun(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment, string? input)
    {
        var console = new PbmConsole
        {
            In = new StringReader(input ?? ""),
            Out = _out,
            Error = _error,
            Environment = name => environment?.GetValueOrDefault(name),
        };
        Exit = Task.Run(() => Pbm.RunAsync([.. args], console, _interrupt.Token));
    }

    public Task<int> Exit { get; }

    public string Out => _out.Text;
    public string Error => _error.Text;

    public static PbmRun Start(params string[] args) => new(args, null, null);

    public static PbmRun Start(IReadOnlyDictionary<string, string>? environment, string? input, params string[] args) => new(args, environment, input);

    /// <summary>Runs pbm to its end (bounded: a hang fails the test instead of blocking the run).</summary>
    public static async Task<Result> RunAsync(params string[] args) => await Start(args).ResultAsync();

    public static async Task<Result> RunAsync(IReadOnlyDictionary<string, string>? environment, string? input, params string[] args) =>
        await Start(environment, input, args).ResultAsync();

    /// <summary>Ctrl-C.</summary>
    public void Interrupt() => _interrupt.Cancel();

    public async Task<Result> ResultAsync(TimeSpan? within = null)
    {
        var code = await Exit.WaitAsync(within ?? TimeSpan.FromSeconds(120));
        return new Result(code, Out, Error);
    }

    /// <summary>Waits until stdout has a line containing <paramref name="text"/>; fails with what pbm wrote so far.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan? within = null, bool stderr = false)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (!(stderr ? Error : Out).Contains(text, StringComparison.Ordinal))
        {
            if (Exit.IsCompleted)
                throw new Xunit.Sdk.XunitException($"pbm exited ({await Exit}) before writing \"{text}\".\nstdout:\n{Out}\nstderr:\n{Error}");
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"pbm wrote no \"{text}\" in time.\nstdout:\n{Out}\nstderr:\n{Error}");
            await Task.Delay(20);
        }
    }

    public sealed record Result(int ExitCode, string Out, string Error)
    {
        public IReadOnlyList<string> Lines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        public IReadOnlyList<string> ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        /// <summary>stdout parsed as the one JSON document of <c>--json</c>.</summary>
        public JsonElement Json()
        {
            using var document = JsonDocument.Parse(Out);
            return document.RootElement.Clone();
        }

        /// <summary>The table's rows (after the header line, before the "Count:" line), split into cells.</summary>
        public IReadOnlyList<string[]> Rows() =>
            [.. Lines.Skip(1).TakeWhile(l => !l.StartsWith("Count:", StringComparison.Ordinal))
                .Select(l => l.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

        public override string ToString() => $"exit code {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}";
    }

    /// <summary>A StringWriter safe to read while pbm writes from another thread.</summary>
    private sealed class SynchronizedWriter : TextWriter
    {
        private readonly StringBuilder _text = new();

        public override Encoding Encoding => Encoding.UTF8;

        public string Text { get { lock (_text) return _text.ToString(); } }

        public override void Write(char value) { lock (_text) _text.Append(value); }

        public override void Write(string? value) { lock (_text) _text.Append(value); }

        public override void WriteLine(string? value) { lock (_text) _text.Append(value).Append('\n'); }
    }
}
