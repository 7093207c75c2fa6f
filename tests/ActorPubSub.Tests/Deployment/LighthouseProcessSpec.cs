using System.Net;
using ActorPubSub.Lighthouse;

namespace ActorPubSub.Tests.Deployment;

/// <summary>
/// The lighthouse as a real process, configured like the well-known Lighthouse image: it forms a cluster of its own,
/// serves /health/live and /health/ready (ready once Up), leaves gracefully with exit code 0 on SIGTERM, and refuses
/// bad settings with one line on stderr and exit code 2.
/// </summary>
[Trait("Category", "Integration")]
public sealed class LighthouseProcessSpec : IDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(60);
    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("actorpubsub-lighthouse-").FullName;

    [Fact]
    public async Task Lighthouse_should_form_a_cluster_serve_health_and_leave_with_exit_code_0_on_SIGTERM()
    {
        // arrange
        var port = ServiceProcess.FreeLoopbackPort();
        await using var lighthouse = ServiceProcess.StartLighthouse(new Dictionary<string, string>
        {
            ["CLUSTER_IP"] = "127.0.0.1",
            ["CLUSTER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ACTORPUBSUB_Lighthouse__HttpAddress"] = "127.0.0.1:0",
        }, _workingDirectory);

        // act
        var listening = await lighthouse.WaitForOutputAsync("Lighthouse listening on", StartDeadline);
        var url = await lighthouse.HttpUrlAsync(StartDeadline);
        var live = await HealthClient.GetAsync(url, "/health/live");
        var ready = await HealthClient.WaitForAsync(url, "/health/ready", a => a.Status == HttpStatusCode.OK,
            "the lighthouse is ready", StartDeadline);
        lighthouse.Signal(ServiceProcess.SigTerm);
        var exitCode = await lighthouse.WaitForExitAsync(ExitDeadline);

        // assert
        var self = $"akka.tcp://actorpubsub@127.0.0.1:{port}";
        Assert.Contains($"Lighthouse listening on {self} (bound to 127.0.0.1), seeds {self} (itself), role lighthouse", listening, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, live.Status);
        Assert.True(ready.CheckReady("cluster-member"), ready.ToString());
        Assert.Contains($"Up as {self}", ready.CheckDetail("cluster-member"), StringComparison.Ordinal);
        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{lighthouse.Transcript}");
        Assert.Empty(lighthouse.StandardError);
        Assert.Contains(lighthouse.StandardOutput, l => l.Contains("Lighthouse stopped", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("CLUSTER_PORT", "70000", "Lighthouse:Port (ACTORPUBSUB_Lighthouse__Port or CLUSTER_PORT) = '70000'")]
    [InlineData("CLUSTER_PORT", "four", "Lighthouse:Port (ACTORPUBSUB_Lighthouse__Port or CLUSTER_PORT)")]
    [InlineData("CLUSTER_SEEDS", "akka.tcp://actorpubsub@a:4053, http://b:4053", "Lighthouse:SeedNodes:1 (ACTORPUBSUB_Lighthouse__SeedNodes__1 or CLUSTER_SEEDS)")]
    [InlineData("CLUSTER_SEEDS", "akka.tcp://other@a:4053", "names ActorSystem 'other'")]
    [InlineData("CLUSTER_IP", "0.0.0.0", "Lighthouse:PublicHostname (ACTORPUBSUB_Lighthouse__PublicHostname or CLUSTER_IP)")]
    [InlineData("ACTORSYSTEM", "no spaces", "Lighthouse:ActorSystemName (ACTORPUBSUB_Lighthouse__ActorSystemName or ACTORSYSTEM)")]
    [InlineData("ACTORPUBSUB_Lighthouse__HttpAddress", "health.local:9110", "Lighthouse:HttpAddress (ACTORPUBSUB_Lighthouse__HttpAddress)")]
    [InlineData("ACTORPUBSUB_Lighthouse__SplitBrainResolver", "keep-everyone", "must be one of keep-majority, keep-oldest, static-quorum, down-all, off")]
    [InlineData("ACTORPUBSUB_Lighthouse__SplitBrainResolver", "static-quorum", "Lighthouse:SplitBrainQuorumSize")]
    [InlineData("ACTORPUBSUB_Lighthouse__Prot", "4053", "Unknown setting Lighthouse:Prot")]
    // Reproduction for issue 13 item 3: the Kubernetes base's example token worked.
    [InlineData("ACTORPUBSUB_Lighthouse__AdminToken", "change-me-admin-token-0123456789", "Lighthouse:AdminToken (ACTORPUBSUB_Lighthouse__AdminToken) = '(not shown)': is the published example token")]
    [InlineData("ACTORPUBSUB_Lighthouse__AdminToken", "replace-me-with-a-real-token", "looks like a placeholder (it contains 'replaceme')")]
    [InlineData("ACTORPUBSUB_Lighthouse__AdminToken", "xxxxxxxxxxxxxxxxxxxxxxxx", "has fewer than 6 different characters")]
    [InlineData("CLUSTER_IP", "lighthouse-0.lighthouse", "Lighthouse:TlsCertificatePath (ACTORPUBSUB_Lighthouse__TlsCertificatePath) = '': is required: Akka.Remote binds 0.0.0.0, off loopback")]
    public async Task Lighthouse_should_refuse_a_bad_setting_with_one_line_and_exit_code_2(string variable, string value, string expected)
    {
        // arrange
        await using var lighthouse = ServiceProcess.StartLighthouse(new Dictionary<string, string>
        {
            ["ACTORPUBSUB_Lighthouse__HttpAddress"] = "127.0.0.1:0",
            [variable] = value,
        }, _workingDirectory);

        // act
        var exitCode = await lighthouse.WaitForExitAsync(ExitDeadline);

        // assert
        Assert.True(exitCode == 2, $"exit code {exitCode}:\n{lighthouse.Transcript}");
        var error = Assert.Single(lighthouse.StandardError);
        Assert.StartsWith("Lighthouse: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", lighthouse.Transcript, StringComparison.Ordinal);
    }

    [Fact]
    public void Lighthouse_should_declare_the_variables_of_the_Lighthouse_image_and_its_own_settings()
    {
        // assert: what the k8s consistency test relies on
        Assert.True(LighthouseSettings.ReadsEnvironmentVariable("CLUSTER_IP"));
        Assert.True(LighthouseSettings.ReadsEnvironmentVariable("CLUSTER_SEEDS"));
        Assert.True(LighthouseSettings.ReadsEnvironmentVariable("ACTORSYSTEM"));
        Assert.True(LighthouseSettings.ReadsEnvironmentVariable("ACTORPUBSUB_Lighthouse__SeedNodes__3"));
        Assert.True(LighthouseSettings.ReadsEnvironmentVariable("ACTORPUBSUB_Lighthouse__HttpAddress"));
        Assert.False(LighthouseSettings.ReadsEnvironmentVariable("ACTORPUBSUB_Lighthouse__Storage"));
        Assert.False(LighthouseSettings.ReadsEnvironmentVariable("ACTORPUBSUB_Node__HttpAddress"));
        Assert.False(LighthouseSettings.ReadsEnvironmentVariable("cluster_ip"));
        Assert.Equal(["/health/live", "/health/ready"], LighthouseSettings.ServedPaths);
    }

    public void Dispose() => Directory.Delete(_workingDirectory, recursive: true);
}
