using System.Net;
using System.Text;
using System.Text.Json;
using ActorPubSub.Cli;
using ActorPubSub.Tests.Support;

namespace ActorPubSub.Tests.Cli;

/// <summary>
/// The admin endpoint over raw HTTP, on an in-process node with the token required (RequireAdminToken on loopback:
/// the rule a non-loopback bind forces): what it lists, how it refuses missing or wrong tokens and malformed requests
/// (one-line JSON errors with the right status), and that the host answers normally after all of them.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AdminEndpointSpec : IAsyncLifetime
{
    private const string Token = "spec-token-0123456789";
    private readonly TempDatabase _db = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private AdminNode _node = null!;

    public async Task InitializeAsync() =>
        _node = await AdminNode.StartAsync(_db.File, new Dictionary<string, string> { ["RequireAdminToken"] = "true", ["AdminToken"] = Token });

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _http.Dispose();
        _db.Dispose();
    }

    [Fact]
    public async Task Endpoint_should_list_its_palettes_and_their_commands_arguments()
    {
        // act
        var (status, body) = await SendAsync(HttpMethod.Get, "admin/v1/palettes", null, Token);

        // assert
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, body.GetProperty("version").GetInt32());
        Assert.Equal("node", body.GetProperty("host").GetString());
        var palettes = body.GetProperty("palettes").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal(["cluster", "sharding", "actor", "pubsub", "catalog"], palettes.Keys);
        var commands = palettes.Values.SelectMany(p => p.GetProperty("commands").EnumerateArray()).ToList();
        var names = commands.Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Subset(names.ToHashSet(), new HashSet<string?>
        {
            "show", "status", "leader", "leave", "join", "down", "down-unreachable", "regions", "stats", "hierarchy", "topics", "topic",
            "subscriptions", "lag", "publish", "tail", "dlq list", "dlq show", "dlq redrive", "dlq purge", "configure",
        });
        // pbm owns these names on its command line: no command may use them for an argument.
        var arguments = commands.SelectMany(c => c.GetProperty("arguments").EnumerateArray()).ToList();
        Assert.DoesNotContain(arguments, a => Invocation.Reserved.Contains(a.GetProperty("name").GetString())
                                              || (a.TryGetProperty("short", out var s) && Invocation.Reserved.Contains(s.GetString())));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token-wrong-token")]
    public async Task Endpoint_should_refuse_a_missing_or_wrong_token_with_401_and_keep_health_open(string? token)
    {
        // act
        var (palettes, paletteBody) = await SendAsync(HttpMethod.Get, "admin/v1/palettes", null, token);
        var (command, commandBody) = await SendAsync(HttpMethod.Post, "admin/v1/cluster/leave", "{}", token);
        using var live = await _http.GetAsync(new Uri(_node.BaseUrl, "health/live"));

        // assert
        Assert.Equal(HttpStatusCode.Unauthorized, palettes);
        Assert.Equal(HttpStatusCode.Unauthorized, command);
        Assert.Contains("missing or wrong admin token", paletteBody.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Single(commandBody.EnumerateObject());   // just the one-line error
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(Akka.Cluster.MemberStatus.Up, Akka.Cluster.Cluster.Get(_node.System).SelfMember.Status);   // the leave never ran
    }

    [Theory]
    [InlineData("admin/v1/pubsub/topic", "not json", HttpStatusCode.BadRequest, "not valid JSON")]
    [InlineData("admin/v1/pubsub/topic", "[1,2]", HttpStatusCode.BadRequest, "must be a JSON object of arguments")]
    [InlineData("admin/v1/pubsub/topic", "{}", HttpStatusCode.BadRequest, "topic: is required")]
    [InlineData("admin/v1/pubsub/topic", """{"topic":"bad name!"}""", HttpStatusCode.BadRequest, "topic: The topic name 'bad name!' has the character ' '")]
    [InlineData("admin/v1/pubsub/topic", """{"topic":42}""", HttpStatusCode.BadRequest, "topic: must be a non-empty string, not 42")]
    [InlineData("admin/v1/pubsub/topic", """{"topic":"orders","colour":"red"}""", HttpStatusCode.BadRequest, "colour: unknown argument; the arguments are topic")]
    [InlineData("admin/v1/pubsub/topics", """{"limit":0}""", HttpStatusCode.BadRequest, "limit: must be an integer between 1 and 1000, not 0")]
    [InlineData("admin/v1/pubsub/topics", """{"limit":1e300}""", HttpStatusCode.BadRequest, "limit: must be an integer")]
    [InlineData("admin/v1/pubsub/dlq/purge", """{"topic":"orders","subscription":"billing"}""", HttpStatusCode.NotFound, "topic 'orders' not found")]
    [InlineData("admin/v1/actor/hierarchy", """{"start":"/user/*"}""", HttpStatusCode.BadRequest, "start: must be an actor path of this host")]
    [InlineData("admin/v1/actor/hierarchy", """{"start":"/user/nobody"}""", HttpStatusCode.NotFound, "no actor at /user/nobody")]
    [InlineData("admin/v1/cluster/down", """{"address":"not-an-address"}""", HttpStatusCode.BadRequest, "address: must be a member address like akka.tcp://system@host:port")]
    [InlineData("admin/v1/cluster/down", """{"address":"akka.tcp://actorpubsub@127.0.0.1:1"}""", HttpStatusCode.NotFound, "is not a member of the cluster")]
    [InlineData("admin/v1/pubsub/publish", """{"topic":"orders","text":"x","header":["novalue"]}""", HttpStatusCode.BadRequest, "header: must be name=value")]
    [InlineData("admin/v1/pubsub/tail", """{"topic":"orders","ack":true}""", HttpStatusCode.BadRequest, "ack: needs -s <subscription>")]
    [InlineData("admin/v1/pubsub/configure", """{"topic":"orders"}""", HttpStatusCode.BadRequest, "limits: give at least one of --max-bytes, --max-messages, --max-age, --when-full")]
    [InlineData("admin/v1/pubsub/configure", """{"topic":"orders","max-bytes":"lots"}""", HttpStatusCode.BadRequest, "max-bytes: must be a size like 10GiB, 512MiB, 1GB or 0 (no limit), not 'lots'")]
    [InlineData("admin/v1/pubsub/configure", """{"topic":"orders","when-full":"wait"}""", HttpStatusCode.BadRequest, "when-full: must be refuse or drop-oldest, not 'wait'")]
    [InlineData("admin/v1/pubsub/configure", """{"topic":"orders","max-messages":-3}""", HttpStatusCode.BadRequest, "max-messages: must be an integer of at least 0, not -3")]
    [InlineData("admin/v1/pubsub/configure", """{"topic":"orders","max-age":"5000d"}""", HttpStatusCode.BadRequest, "Invalid limits for topic 'orders': Max age is 5000.00:00:00")]
    // Reproduction for issue 13 item 4: a lone surrogate in a string argument answered 500 with an empty body.
    [InlineData("admin/v1/pubsub/topic", """{"topic":"\ud800"}""", HttpStatusCode.BadRequest, "topic: is not valid text: it holds a lone UTF-16 surrogate")]
    [InlineData("admin/v1/pubsub/publish", """{"topic":"orders","text":"a\udc00b"}""", HttpStatusCode.BadRequest, "text: is not valid text")]
    [InlineData("admin/v1/pubsub/publish", """{"topic":"orders","text":"x","header":["k=\ud800"]}""", HttpStatusCode.BadRequest, "header: is not valid text")]
    [InlineData("admin/v1/pubsub/topics", """{"limit":"\ud800"}""", HttpStatusCode.BadRequest, "limit: is not valid text")]
    [InlineData("admin/v1/pubsub/topic", """{"\ud800":"orders"}""", HttpStatusCode.BadRequest, "an argument name is not valid text")]
    [InlineData("admin/v1/nosuch/thing", "{}", HttpStatusCode.NotFound, "unknown palette 'nosuch'; this node has cluster, sharding, actor, pubsub")]
    [InlineData("admin/v1/cluster/explode", "{}", HttpStatusCode.NotFound, "unknown command 'cluster explode'; the cluster commands are show, status")]
    public async Task Endpoint_should_refuse_a_malformed_request_with_a_one_line_error_and_keep_answering(string path, string body, HttpStatusCode expected, string error)
    {
        // act
        var (status, answer) = await SendAsync(HttpMethod.Post, path, body, Token);
        var (after, _) = await SendAsync(HttpMethod.Post, "admin/v1/cluster/show", null, Token);

        // assert
        Assert.Equal(expected, status);
        var message = answer.GetProperty("error").GetString()!;
        Assert.Contains(error, message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', message);
        Assert.Equal(HttpStatusCode.OK, after);
    }

    [Theory]
    [InlineData("admin/v1/pubsub/publish", "text")]
    [InlineData("admin/v1/pubsub/topic", "topic")]
    [InlineData("admin/v1/cluster/down", "address")]
    public async Task Endpoint_should_refuse_invalid_UTF8_in_a_string_argument_with_400_naming_it(string path, string argument)
    {
        // Reproduction for issue 13 item 4: bytes that are not UTF-8 inside a JSON string answered 500 with an empty body.
        // arrange
        byte[] body = [.. Encoding.UTF8.GetBytes($$"""{"topic":"orders","{{argument}}":"a"""), 0xff, 0xfe, .. "b\"}"u8];
        if (argument == "topic") body = [.. "{\"topic\":\"a"u8, 0xc3, 0x28, .. "\"}"u8];
        if (argument == "address") body = [.. "{\"address\":\"akka.tcp://a@"u8, 0xed, 0xa0, 0x80, .. ":1\"}"u8];   // an encoded surrogate

        // act
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_node.BaseUrl, path)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        using var response = await _http.SendAsync(request);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var (after, _) = await SendAsync(HttpMethod.Post, "admin/v1/cluster/show", null, Token);

        // assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith($"{argument}: is not valid text", answer.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(argument, answer.RootElement.GetProperty("argument").GetString());
        Assert.Equal(HttpStatusCode.OK, after);
    }

    [Fact]
    public async Task Endpoint_should_answer_unknown_paths_wrong_methods_and_oversized_bodies_with_JSON_errors()
    {
        // act
        var (unknown, unknownBody) = await SendAsync(HttpMethod.Get, "admin/nothing/here", null, Token);
        var (getCommand, _) = await SendAsync(HttpMethod.Get, "admin/v1/cluster/show", null, Token);
        var (huge, hugeBody) = await SendAsync(HttpMethod.Post, "admin/v1/pubsub/publish",
            $$"""{"topic":"orders","text":"{{new string('x', 3 * 1024 * 1024)}}"}""", Token);
        var (after, _) = await SendAsync(HttpMethod.Post, "admin/v1/cluster/show", null, Token);

        // assert
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Contains("GET /admin/v1/palettes", unknownBody.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, getCommand);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge);
        Assert.Contains("larger than 2 MiB", hugeBody.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, after);
    }

    [Fact]
    public async Task Endpoint_should_configure_a_topics_limits_and_report_them_and_the_dropped_count()
    {
        // arrange: one subscription that does not consume
        await _node.Client.CreateSubscriptionAsync("metered", "slow");

        // act
        var (status, answer) = await SendAsync(HttpMethod.Post, "admin/v1/pubsub/configure",
            """{"topic":"metered","max-messages":3,"max-bytes":"1 MiB","when-full":"drop-oldest"}""", Token);
        for (var i = 0; i < 5; i++) await _node.Client.PublishAsync("metered", i);
        await Eventually.HoldsAsync(() => _node.Client.GetTopicInfoAsync("metered"), i => i.Subscriptions.Single().Dropped == 2, "2 dropped");
        var (_, topic) = await SendAsync(HttpMethod.Post, "admin/v1/pubsub/topic", """{"topic":"metered"}""", Token);

        // assert
        Assert.Equal(HttpStatusCode.OK, status);
        var limits = answer.GetProperty("data").GetProperty("limits");
        Assert.Equal((1L << 20, 3L, "drop-oldest"),
            (limits.GetProperty("maxBytes").GetInt64(), limits.GetProperty("maxMessages").GetInt64(), limits.GetProperty("whenFull").GetString()));
        Assert.Equal(3, topic.GetProperty("data").GetProperty("limits").GetProperty("maxMessages").GetInt64());
        Assert.Equal(2, topic.GetProperty("data").GetProperty("subscriptions")[0].GetProperty("dropped").GetInt64());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? body, string? token)
    {
        using var request = new HttpRequestMessage(method, new Uri(_node.BaseUrl, path));
        // A command is a JSON post, also without arguments (an empty body); anything else is refused with 415.
        if (body is not null || method == HttpMethod.Post) request.Content = new StringContent(body ?? "", Encoding.UTF8, "application/json");
        if (token is not null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(text);
        return (response.StatusCode, json.RootElement.Clone());
    }
}
