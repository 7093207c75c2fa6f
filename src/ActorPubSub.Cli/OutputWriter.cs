using System.Text.Encodings.Web;
using System.Text.Json;

namespace ActorPubSub.Cli;

/// <summary>
/// Prints what a host answered: the view (lines and tables) for people, or with <c>--json</c> the data for scripts
/// (a command's result as one JSON document; a stream as one JSON object per line). Text for people has its control
/// characters escaped (<see cref="TerminalText"/>): it carries what publishers wrote; JSON is written exactly.
/// </summary>
public sealed class OutputWriter(TextWriter output, TextWriter status, bool json)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public void Result(JsonElement answer)
    {
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(answer.TryGetProperty("data", out var data) ? data : default, Indented));
            return;
        }
        if (!answer.TryGetProperty("view", out var view)) return;
        foreach (var block in view.EnumerateArray())
        {
            if (block.TryGetProperty("table", out var table))
            {
                var columns = table.GetProperty("columns").EnumerateArray().Select(c => TerminalText.Escape(c.GetString())).ToList();
                var rows = table.GetProperty("rows").EnumerateArray()
                    .Select(r => (IReadOnlyList<string>)r.EnumerateArray().Select(c => TerminalText.Escape(c.GetString())).ToList()).ToList();
                foreach (var line in TextTable.Render(columns, rows)) output.WriteLine(line);
            }
            else if (block.TryGetProperty("lines", out var lines))
            {
                foreach (var line in lines.EnumerateArray()) output.WriteLine(TerminalText.Escape(line.GetString()));
            }
        }
    }

    /// <summary>
    /// One event of a stream: its text (messages on stdout; start and end on stderr, so a pipe gets only messages), or
    /// with --json the whole event on one line of stdout. Heartbeats are not shown.
    /// </summary>
    public void Event(JsonElement e)
    {
        var type = e.GetProperty("type").GetString();
        if (type == "heartbeat") return;
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(e, Compact));
        }
        else if (e.TryGetProperty("text", out var text))
        {
            var writer = type == "message" ? output : status;
            writer.WriteLine(TerminalText.Escape(text.GetString()));
            writer.Flush();
        }
        output.Flush();
    }
}
