using ActorPubSub.Cli;
using ActorPubSub.Tests.Support;

namespace ActorPubSub.Tests.Cli;

/// <summary>
/// pbm's one-line errors and exit codes when it cannot get in: an unreachable host, a missing or wrong token (the node
/// requires one, as a non-loopback bind forces it to), and the token taken from --token, PBM_TOKEN or the node's own
/// variable. Also the interactive prompt reading commands line by line.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PbmAccessSpec : IAsyncLifetime
{
    private const string Token = "access-spec-token-0123";
    private readonly TempDatabase _db = new();
    private AdminNode _node = null!;

    public async Task InitializeAsync() =>
        _node = await AdminNode.StartAsync(_db.File, new Dictionary<string, string> { ["RequireAdminToken"] = "true", ["AdminToken"] = Token });

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _db.Dispose();
    }

    [Fact]
    public async Task Pbm_should_say_in_one_line_that_an_unreachable_host_cannot_be_reached_and_exit_with_3()
    {
        // act
        var result = await PbmRun.RunAsync($"127.0.0.1:{AdminNode.DeadPort()}", "cluster", "show");

        // assert
        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        var error = Assert.Single(result.ErrorLines);
        Assert.StartsWith("pbm: cannot reach 127.0.0.1:", error, StringComparison.Ordinal);
        Assert.Contains("Connection refused", error, StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token-wrong-token")]
    public async Task Pbm_should_say_in_one_line_that_the_token_was_refused_and_exit_with_3(string? token)
    {
        // act
        var args = token is null ? new[] { _node.Target, "cluster", "show" } : [_node.Target, "--token", token, "cluster", "show"];
        var result = await PbmRun.RunAsync(args);

        // assert
        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Equal([$"pbm: {_node.Target} refused the admin token: missing or wrong admin token: send Authorization: Bearer <token> (pbm --token or PBM_TOKEN)"],
            result.ErrorLines);
    }

    [Theory]
    [InlineData("--token")]
    [InlineData("PBM_TOKEN")]
    [InlineData("ACTORPUBSUB_Node__AdminToken")]
    public async Task Pbm_should_send_the_token_from_the_option_or_the_environment(string source)
    {
        // arrange
        var environment = source == "--token" ? new Dictionary<string, string>() : new Dictionary<string, string> { [source] = Token };
        string[] args = source == "--token" ? [_node.Target, "--token", Token, "cluster", "show"] : [_node.Target, "cluster", "show"];

        // act
        var result = await PbmRun.RunAsync(environment, null, args);

        // assert
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal("Count: 1 node", result.Lines[^1]);
    }

    [Fact]
    public async Task Prompt_should_run_commands_line_by_line_keep_going_after_errors_and_stop_at_exit()
    {
        // arrange
        var input = string.Join('\n',
            "help",
            "pubsub publish orders \"typed at the prompt\"",
            "pubsub topic nope",
            "pubsub topics --json",
            "cluster bogus",
            "'unterminated",
            "exit",
            "cluster show");

        // act
        var result = await PbmRun.RunAsync(new Dictionary<string, string> { ["PBM_TOKEN"] = Token }, input, _node.Target);

        // assert
        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains($"{_node.Target} is a node ({_node.Address}); its palettes:", result.Out, StringComparison.Ordinal);
        Assert.Contains("Published to orders as #1", result.Out, StringComparison.Ordinal);
        Assert.Contains("\"topic\": \"orders\"", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Count: 1 node", result.Out, StringComparison.Ordinal);   // after exit: not run
        Assert.Equal(
        [
            "pbm: topic 'nope' not found (it has never had a message or a subscription)",
            "pbm: unknown command 'cluster bogus'; the cluster commands are show, status, leader, leave, join, down, down-unreachable",
            "pbm: unterminated ' quote",
        ], result.ErrorLines);
    }

    [Fact]
    public async Task Pbm_should_print_its_help_and_version_without_a_host()
    {
        // act
        var help = await PbmRun.RunAsync("--help");
        var version = await PbmRun.RunAsync("--version");

        // assert
        Assert.Equal(ExitCodes.Ok, help.ExitCode);
        Assert.StartsWith("usage: pbm [host:port] <palette> <command>", help.Lines[0], StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, version.ExitCode);
        Assert.Matches(@"^pbm \d+\.\d+\.\d+$", version.Lines[0]);
    }
}
