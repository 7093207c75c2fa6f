using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using ActorPubSub.Tests.Support;

namespace ActorPubSub.Tests.Node;

/// <summary>
/// The admin endpoint of the real node and lighthouse processes: a string argument that is not text answers 400 naming
/// the argument and the audit line logs 400 (it logged 200 while the caller got an empty 500); a cross-site request is
/// refused with 403 and logged, and the program keeps running.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AdminRequestLogSpec : IDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);
    private readonly TempDatabase _db = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };

    [Fact]
    public async Task Node_should_answer_bad_text_with_400_naming_the_argument_and_log_the_status_sent()
    {
        // Reproduction for issue 13 item 4 (node).
        // arrange
        await using var node = NodeProcess.Start(new Dictionary<string, string> { ["HttpAddress"] = "127.0.0.1:0", ["SqliteFile"] = _db.File },
            Path.GetDirectoryName(_db.File)!);
        var url = await node.HttpUrlAsync(StartDeadline);
        await node.WaitForOutputAsync("ActorPubSub node is Up", StartDeadline);

        // act
        var (surrogate, surrogateBody) = await PostAsync(url, "admin/v1/pubsub/publish", """{"topic":"orders","text":"\ud800"}"""u8.ToArray());
        var (bytes, bytesBody) = await PostAsync(url, "admin/v1/pubsub/publish", [.. """{"topic":"orders","text":"a"""u8, 0xff, .. "\"}"u8]);
        var audit = await node.WaitForOutputAsync("Admin command pubsub publish from 127.0.0.1:", StartDeadline);
        // The audit line is written once the answer is sent: wait for the second one.
        await Eventually.HoldsAsync(() => node.StandardOutput.Count(l => l.Contains("Admin command pubsub publish from", StringComparison.Ordinal)) == 2,
            "two audit lines of pubsub publish", StartDeadline);
        var (crossSite, crossSiteBody) = await PostAsync(url, "admin/v1/cluster/leave", "{}"u8.ToArray(), "text/plain", $"evil.example:{url.Port}");
        var refused = await node.WaitForOutputAsync("Admin request /admin/v1/cluster/leave from 127.0.0.1:", StartDeadline);
        var (after, _) = await PostAsync(url, "admin/v1/cluster/show", "{}"u8.ToArray());

        // assert
        Assert.Equal(HttpStatusCode.BadRequest, surrogate);
        Assert.StartsWith("text: is not valid text", surrogateBody.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, bytes);
        Assert.Equal("text", bytesBody.GetProperty("argument").GetString());
        Assert.EndsWith(": 400", audit.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(2, node.StandardOutput.Count(l => l.Contains("Admin command pubsub publish from", StringComparison.Ordinal) && l.TrimEnd().EndsWith(": 400", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Forbidden, crossSite);
        Assert.Contains("Host 'evil.example", crossSiteBody.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("refused: Host 'evil.example", refused, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, after);
        Assert.DoesNotContain("ActorPubSub node stopping", node.Transcript, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lighthouse_should_answer_bad_text_with_400_naming_the_argument_and_log_the_status_sent()
    {
        // Reproduction for issue 13 item 4 (lighthouse).
        // arrange
        await using var lighthouse = ServiceProcess.StartLighthouse(new Dictionary<string, string>
        {
            ["CLUSTER_IP"] = "127.0.0.1",
            ["CLUSTER_PORT"] = ServiceProcess.FreeLoopbackPort().ToString(CultureInfo.InvariantCulture),
            ["ACTORPUBSUB_Lighthouse__HttpAddress"] = "127.0.0.1:0",
        }, Path.GetDirectoryName(_db.File)!);
        var url = await lighthouse.HttpUrlAsync(StartDeadline);
        await lighthouse.WaitForOutputAsync("Lighthouse is Up", StartDeadline);

        // act
        var (status, body) = await PostAsync(url, "admin/v1/cluster/down", """{"address":"akka.tcp://actorpubsub@\udfff:1"}"""u8.ToArray());
        var audit = await lighthouse.WaitForOutputAsync("Admin command cluster down from 127.0.0.1:", StartDeadline);
        var (crossSite, _) = await PostAsync(url, "admin/v1/cluster/leave", "{}"u8.ToArray(), origin: "http://evil.example");

        // assert
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("address: is not valid text", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.EndsWith(": 400", audit.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, crossSite);
        Assert.DoesNotContain("Lighthouse stopping", lighthouse.Transcript, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _http.Dispose();
        _db.Dispose();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(Uri url, string path, byte[] body,
        string contentType = "application/json", string? host = null, string? origin = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(url, path)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        if (host is not null) request.Headers.Host = host;
        if (origin is not null) request.Headers.TryAddWithoutValidation("Origin", origin);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(text);
        return (response.StatusCode, json.RootElement.Clone());
    }
}
