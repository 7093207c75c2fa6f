using System.Collections.Immutable;
using System.Text.Json;
using ActorPubSub.Cli;
using ActorPubSub.Client;
using ActorPubSub.Tests.Support;

namespace ActorPubSub.Tests.Cli;

/// <summary>
/// pbm prints what publishers wrote (payloads, keys, headers) and must not let it act on the terminal: a newline in a
/// header must not forge an output line, an ESC must not reach the terminal. <c>--json</c> stays exact.
/// </summary>
[Trait("Category", "Unit")]
public sealed class TerminalTextSpec
{
    [Theory]
    [InlineData("plain text, ünïcödé, 日本語", "plain text, ünïcödé, 日本語")]
    [InlineData("a\nb", @"a\nb")]
    [InlineData("a\r\nb\tc", @"a\r\nb\tc")]
    [InlineData("\u001b[31mred\u001b[0m", @"\e[31mred\e[0m")]
    [InlineData("bell\u0007 del\u007f c1\u009b", @"bell\x07 del\x7F c1\x9B")]
    [InlineData("abc\u202Efed", @"abc\u{202E}fed")]
    public void Escape_should_show_control_characters_instead_of_letting_them_act(string text, string expected) =>
        Assert.Equal(expected, TerminalText.Escape(text));

    [Fact]
    public void Output_should_escape_tables_lines_and_stream_text_but_keep_json_exact()
    {
        // arrange
        var answer = Parse("""
            {"data":{"key":"k\nforged"},
             "view":[{"table":{"columns":["KEY","N"],"rows":[["k\nforged line","1"]]}},{"lines":["count: \u001b[2J1"]}]}
            """);
        var message = Parse("""{"type":"message","text":"#1 region=eu\nFORGED #2 \u001b]0;title\u0007 hi","data":{"payload":"\u001b[31m"}}""");
        var text = new StringWriter();
        var json = new StringWriter();

        // act
        var people = new OutputWriter(text, TextWriter.Null, json: false);
        people.Result(answer);
        people.Event(message);
        var scripts = new OutputWriter(json, TextWriter.Null, json: true);
        scripts.Event(message);

        // assert: one output line per row, line and message; no control character left
        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["KEY             N", @"k\nforged line  1", @"count: \e[2J1", @"#1 region=eu\nFORGED #2 \e]0;title\x07 hi"], lines);
        Assert.DoesNotContain(text.ToString(), c => c < ' ' && c != '\n');
        var exact = JsonDocument.Parse(json.ToString()).RootElement;
        Assert.Equal("#1 region=eu\nFORGED #2 \u001b]0;title\u0007 hi", exact.GetProperty("text").GetString());
        Assert.Equal("\u001b[31m", exact.GetProperty("data").GetProperty("payload").GetString());
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

/// <summary><c>pbm pubsub tail</c> against a node: a forged header line and an ESC in a payload arrive escaped.</summary>
[Trait("Category", "Integration")]
public sealed class PbmTailEscapingSpec : IAsyncLifetime
{
    private readonly TempDatabase _db = new();
    private AdminNode _node = null!;

    public async Task InitializeAsync() => _node = await AdminNode.StartAsync(_db.File);

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _db.Dispose();
    }

    [Fact]
    public async Task Tail_should_print_a_header_with_a_newline_and_a_payload_with_ESC_as_one_escaped_line()
    {
        // arrange
        await _node.Client.PublishAsync("orders", "before");
        var tail = PbmRun.Start(_node.Target, "pubsub", "tail", "orders");
        await tail.WaitForOutputAsync("Tailing new messages of orders", stderr: true);

        // act
        await _node.Client.PublishAsync("orders", "\u001b[2Jwiped",
            new PublishOptions { Headers = ImmutableDictionary<string, string>.Empty.Add("region", "eu\n#99 forged line") });
        await tail.WaitForOutputAsync("wiped");
        tail.Interrupt();
        var result = await tail.ResultAsync();

        // assert
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        var line = Assert.Single(result.Lines);
        Assert.Contains(@"region=eu\n#99 forged line", line, StringComparison.Ordinal);
        Assert.Contains(@"\e[2Jwiped", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', result.Out);
    }
}
