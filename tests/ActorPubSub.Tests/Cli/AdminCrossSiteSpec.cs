using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Akka.Cluster;
using ActorPubSub.Tests.Support;

namespace ActorPubSub.Tests.Cli;

/// <summary>
/// The loopback admin endpoint (open: no token) against requests a web page in a browser on the same machine can make:
/// a foreign Origin, a Host that is not the endpoint's (DNS rebinding), a form or text/plain post, Sec-Fetch-Site
/// cross-site. Each is refused with a JSON error saying why and runs nothing; pbm and JSON requests with the endpoint's
/// own Host (loopback on its port, configured names) work.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AdminCrossSiteSpec : IAsyncLifetime
{
    private const string ConfiguredName = "pubsub-admin.test";
    private readonly TempDatabase _db = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };
    private AdminNode _node = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        _node = await AdminNode.StartAsync(_db.File, new Dictionary<string, string> { ["AdminHostNames:0"] = ConfiguredName });
        _port = _node.BaseUrl.Port;
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _http.Dispose();
        _db.Dispose();
    }

    [Fact]
    public async Task Endpoint_should_refuse_a_cross_site_text_plain_post_with_a_foreign_Origin_and_Host_and_not_run_it()
    {
        // Reproduction for issue 13 item 3: this request (what a page's fetch() sends after rebinding its name) got 200.
        // act
        var (status, body) = await SendAsync("admin/v1/cluster/leave", "{}", "text/plain", host: $"evil.example:{_port}",
            origin: $"http://evil.example:{_port}");

        // assert
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("Host 'evil.example:", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(MemberStatus.Up, Cluster.Get(_node.System).SelfMember.Status);   // the leave never ran
    }

    [Theory]
    [InlineData("http://evil.example", null, "cross-site request refused: Origin 'http://evil.example' is not this endpoint's own")]
    [InlineData("null", null, "Origin 'null'")]
    [InlineData(null, "cross-site", "Sec-Fetch-Site is 'cross-site'")]
    [InlineData(null, "same-site", "Sec-Fetch-Site is 'same-site'")]
    public async Task Endpoint_should_refuse_a_browsers_cross_site_request_with_its_own_Host_too(string? origin, string? fetchSite, string expected)
    {
        // act
        var (status, body) = await SendAsync("admin/v1/cluster/leave", "{}", "application/json", host: null, origin: origin, fetchSite: fetchSite);
        var (palettes, _) = await SendAsync("admin/v1/palettes", null, null, host: null, origin: origin, fetchSite: fetchSite);

        // assert
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal(HttpStatusCode.Forbidden, palettes);
        Assert.Contains(expected, body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(MemberStatus.Up, Cluster.Get(_node.System).SelfMember.Status);
    }

    [Theory]
    [InlineData("localhost:1")]           // a loopback name on another port than the endpoint's
    [InlineData("127.0.0.1:1")]
    [InlineData("10.1.2.3:{0}")]          // not loopback, and the endpoint listens on loopback only
    [InlineData("attacker.example:{0}")]
    public async Task Endpoint_should_refuse_a_Host_that_is_not_its_own(string host)
    {
        // act
        var (status, body) = await SendAsync("admin/v1/cluster/show", "{}", "application/json", host: string.Format(CultureInfo.InvariantCulture, host, _port));

        // assert
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("is not this endpoint's own", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/json; charset=utf-16")]
    public async Task Endpoint_should_refuse_a_command_that_is_not_JSON_with_415(string? contentType)
    {
        // act
        var (status, body) = await SendAsync("admin/v1/cluster/leave", "{}", contentType);

        // assert
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains("needs Content-Type: application/json", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(MemberStatus.Up, Cluster.Get(_node.System).SelfMember.Status);
    }

    [Theory]
    [InlineData("127.0.0.1:{0}", null)]
    [InlineData("localhost:{0}", null)]
    [InlineData("LOCALHOST:{0}", "http://localhost:{0}")]   // a same-origin Origin is the endpoint's own
    [InlineData(ConfiguredName + ":80", null)]              // a configured name, on any port (a Service may map it)
    public async Task Endpoint_should_answer_JSON_requests_naming_its_own_host(string host, string? origin)
    {
        // act
        var (status, body) = await SendAsync("admin/v1/cluster/show", "{}", "application/json",
            host: string.Format(CultureInfo.InvariantCulture, host, _port),
            origin: origin is null ? null : string.Format(CultureInfo.InvariantCulture, origin, _port));

        // assert
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal("show", body.GetProperty("command").GetString());
    }

    [Fact]
    public async Task Pbm_should_still_run_commands_and_post_JSON()
    {
        // act
        var show = await PbmRun.RunAsync(_node.Target, "cluster", "show");
        var publish = await PbmRun.RunAsync(_node.Target, "pubsub", "publish", "cross-site-orders", "hello");

        // assert
        Assert.True(show.ExitCode == 0, show.Error);
        Assert.True(publish.ExitCode == 0, publish.Error);
        Assert.Equal(1, (await _node.Client.GetTopicInfoAsync("cross-site-orders")).LastSequence);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(string path, string? body, string? contentType,
        string? host = null, string? origin = null, string? fetchSite = null)
    {
        using var request = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Post, new Uri(_node.BaseUrl, path));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        if (host is not null) request.Headers.Host = host;
        if (origin is not null) request.Headers.TryAddWithoutValidation("Origin", origin);
        if (fetchSite is not null) request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", fetchSite);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(text);
        return (response.StatusCode, json.RootElement.Clone());
    }
}
