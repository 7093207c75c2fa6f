using System.Globalization;
using System.Net;
using ActorPubSub.Node;
using ActorPubSub.Tests.Deployment;
using ActorPubSub.Tests.Support;

namespace ActorPubSub.Tests.Node;

/// <summary>
/// The broker node's health endpoints as a real process: live while the process runs, ready only when the member is
/// Up, the journal answers and the topic region is registered, with a JSON body that names what is not ready.
/// </summary>
[Trait("Category", "Integration")]
public sealed class NodeHealthSpec : IDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(60);
    private readonly TempDatabase _db = new();
    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("actorpubsub-node-health-").FullName;

    [Fact]
    public async Task Node_should_be_live_and_ready_once_Up_with_every_check_named()
    {
        // arrange
        await using var node = ServiceProcess.StartNode(new Dictionary<string, string>
        {
            ["ACTORPUBSUB_Node__HttpAddress"] = "127.0.0.1:0",
            ["ACTORPUBSUB_Node__SqliteFile"] = _db.File,
        }, _workingDirectory);
        var url = await node.HttpUrlAsync(StartDeadline);

        // act
        var live = await HealthClient.GetAsync(url, "/health/live");
        var ready = await HealthClient.WaitForAsync(url, "/health/ready", a => a.Status == HttpStatusCode.OK, "the node is ready", StartDeadline);
        var unknown = await HealthClient.GetAsync(url, "/health/unknown");
        node.Signal(ServiceProcess.SigTerm);
        var exitCode = await node.WaitForExitAsync(ExitDeadline);

        // assert
        Assert.Equal(HttpStatusCode.OK, live.Status);
        Assert.Contains("\"status\":\"ready\"", ready.Body, StringComparison.Ordinal);
        Assert.True(ready.CheckReady("cluster-member"), ready.ToString());
        Assert.True(ready.CheckReady("journal"), ready.ToString());
        Assert.True(ready.CheckReady("topics"), ready.ToString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{node.Transcript}");
    }

    [Fact]
    public async Task Node_should_not_be_ready_while_its_PostgreSQL_journal_is_unreachable_and_say_so()
    {
        // arrange: nothing listens on this loopback port
        var port = ServiceProcess.FreeLoopbackPort();
        await using var node = ServiceProcess.StartNode(new Dictionary<string, string>
        {
            ["ACTORPUBSUB_Node__HttpAddress"] = "127.0.0.1:0",
            ["ACTORPUBSUB_Node__StorageProvider"] = "postgresql",
            ["ACTORPUBSUB_Node__PostgreSqlConnectionString"] =
                $"Host=127.0.0.1;Port={port.ToString(CultureInfo.InvariantCulture)};Database=none;Username=none;Password=none;Timeout=2",
        }, _workingDirectory);
        var url = await node.HttpUrlAsync(StartDeadline);
        await node.WaitForOutputAsync("ActorPubSub node is Up", StartDeadline);

        // act: the member is Up, so only the journal (and what needs it) can hold readiness back
        var live = await HealthClient.GetAsync(url, "/health/live");
        var ready = await HealthClient.WaitForAsync(url, "/health/ready",
            a => a.Status == HttpStatusCode.ServiceUnavailable && a.CheckReady("cluster-member") == true,
            "the node is Up but not ready", StartDeadline);

        // assert
        Assert.Equal(HttpStatusCode.OK, live.Status);
        Assert.Contains("\"status\":\"not ready\"", ready.Body, StringComparison.Ordinal);
        Assert.False(ready.CheckReady("journal"), ready.ToString());
        Assert.Contains("journal", ready.CheckDetail("journal"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_should_stop_with_one_line_and_exit_code_2_when_its_http_port_is_taken()
    {
        // arrange: the port is in use (port clashes must not pass silently)
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        // act
        await using var node = ServiceProcess.StartNode(new Dictionary<string, string>
        {
            ["ACTORPUBSUB_Node__HttpAddress"] = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            ["ACTORPUBSUB_Node__SqliteFile"] = _db.File,
        }, _workingDirectory);
        var exitCode = await node.WaitForExitAsync(ExitDeadline);

        // assert: found before anything starts, with the exit code of a bad setting (issue 13 item 6; it was 1 after Kestrel failed)
        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{node.Transcript}");
        var error = Assert.Single(node.StandardError);
        Assert.Contains($"the web server port 127.0.0.1:{port} is in use by another program", error, StringComparison.Ordinal);
        Assert.Contains("Node:HttpAddress (ACTORPUBSUB_Node__HttpAddress)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Node_should_declare_the_environment_variables_it_reads_and_the_paths_it_serves()
    {
        // assert: what the k8s consistency test relies on
        Assert.True(NodeSettings.ReadsEnvironmentVariable("CLUSTER_IP"));
        Assert.True(NodeSettings.ReadsEnvironmentVariable("CLUSTER_PORT"));
        Assert.True(NodeSettings.ReadsEnvironmentVariable("ACTORSYSTEM"));
        Assert.True(NodeSettings.ReadsEnvironmentVariable("ACTORPUBSUB_Node__PostgreSqlConnectionString"));
        Assert.True(NodeSettings.ReadsEnvironmentVariable("ACTORPUBSUB_Node__SeedNodes__0"));
        Assert.False(NodeSettings.ReadsEnvironmentVariable("ACTORPUBSUB_Node__SeedNodes"));
        Assert.False(NodeSettings.ReadsEnvironmentVariable("ACTORPUBSUB_Node__HttpAddress__0"));
        Assert.False(NodeSettings.ReadsEnvironmentVariable("ACTORPUBSUB_Lighthouse__HttpAddress"));
        Assert.False(NodeSettings.ReadsEnvironmentVariable("HTTP_ADDRESS"));
        Assert.Contains("ACTORPUBSUB_Node__SeedNodes__<n>", NodeSettings.EnvironmentVariables);
        Assert.Equal(["/health/live", "/health/ready"], NodeSettings.ServedPaths);
    }

    public void Dispose()
    {
        _db.Dispose();
        Directory.Delete(_workingDirectory, recursive: true);
    }
}
