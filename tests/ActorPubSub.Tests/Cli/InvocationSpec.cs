using ActorPubSub.Cli;

namespace ActorPubSub.Tests.Cli;

/// <summary>pbm's own options, its target and where its token comes from.</summary>
[Trait("Category", "Unit")]
public sealed class InvocationSpec
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void Invocation_should_default_to_the_local_node_and_take_a_host_port_first()
    {
        // act
        var local = Invocation.Parse(["cluster", "show"], NoEnvironment);
        var remote = Invocation.Parse(["broker-0.broker:9110", "cluster", "show"], NoEnvironment);
        var ipv6 = Invocation.Parse(["[::1]:9111", "cluster", "show"], NoEnvironment);

        // assert
        Assert.Equal("127.0.0.1:9110", local.Target.Display);
        Assert.Equal(["cluster", "show"], local.Words);
        Assert.Equal("broker-0.broker:9110", remote.Target.Display);
        Assert.Equal(new Uri("http://[::1]:9111/"), ipv6.Target.BaseUrl);
        Assert.Equal(["cluster", "show"], ipv6.Words);
    }

    [Fact]
    public void Invocation_should_take_its_options_anywhere_and_leave_the_commands_options_alone()
    {
        // act
        var invocation = Invocation.Parse(["pubsub", "publish", "orders", "hi", "-k", "c7", "--json", "--timeout=5", "--token", "t0ken-t0ken-t0ken"], NoEnvironment);

        // assert
        Assert.True(invocation.Json);
        Assert.Equal(TimeSpan.FromSeconds(5), invocation.Timeout);
        Assert.Equal("t0ken-t0ken-t0ken", invocation.Token);
        Assert.Equal(["pubsub", "publish", "orders", "hi", "-k", "c7"], invocation.Words);
    }

    [Fact]
    public void Token_should_come_from_the_option_then_PBM_TOKEN_then_the_nodes_own_variable()
    {
        // arrange
        var all = new Dictionary<string, string> { ["PBM_TOKEN"] = "from-pbm-token", ["ACTORPUBSUB_Node__AdminToken"] = "from-node" };
        var nodeOnly = new Dictionary<string, string> { ["ACTORPUBSUB_Node__AdminToken"] = "from-node" };
        var lighthouseOnly = new Dictionary<string, string> { ["ACTORPUBSUB_Lighthouse__AdminToken"] = "from-lighthouse" };

        // act + assert
        Assert.Equal("from-option", Invocation.Parse(["--token", "from-option", "cluster", "show"], all.GetValueOrDefault).Token);
        Assert.Equal("from-pbm-token", Invocation.Parse(["cluster", "show"], all.GetValueOrDefault).Token);
        Assert.Equal("from-node", Invocation.Parse(["cluster", "show"], nodeOnly.GetValueOrDefault).Token);
        Assert.Equal("from-lighthouse", Invocation.Parse(["cluster", "show"], lighthouseOnly.GetValueOrDefault).Token);
        Assert.Null(Invocation.Parse(["cluster", "show"], NoEnvironment).Token);
    }

    [Theory]
    [InlineData("--timeout", "0")]
    [InlineData("--timeout", "soon")]
    [InlineData("--token", "")]
    [InlineData("host:port", "cluster")]
    [InlineData("--token", null)]
    public void Invocation_should_refuse_bad_options_as_usage_errors(string option, string? value)
    {
        var args = value is null ? new[] { option } : [option, value];
        Assert.Equal(ExitCodes.Usage, Assert.Throws<PbmException>(() => Invocation.Parse(args, NoEnvironment)).ExitCode);
    }
}
