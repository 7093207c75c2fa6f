using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ActorPubSub.Cli;

/// <summary>
/// HTTP to a host's admin endpoint: the catalog, a command's result, a command's event stream. Failures become a
/// <see cref="PbmException"/> with one line and pbm's exit code: unreachable / no admin endpoint / token refused (3),
/// bad arguments (2, with the usage the host sent), anything else the host refused or failed (1).
/// </summary>
public sealed class AdminClient : IDisposable
{
    /// <summary>A host that does not accept a connection within this is reported unreachable (not after the whole timeout).</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private readonly HttpClient _http;
    private readonly AdminTarget _target;
    private readonly TimeSpan _timeout;

    public AdminClient(AdminTarget target, string? token, TimeSpan timeout)
    {
        _target = target;
        _timeout = timeout;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = ConnectTimeout, UseProxy = false })
        {
            BaseAddress = target.BaseUrl,
            Timeout = Timeout.InfiniteTimeSpan,   // bounded per request instead: streams have none
        };
        if (token is not null) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public async Task<HostCatalog> CatalogAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "admin/v1/palettes");
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
            throw new PbmException(ExitCodes.Unreachable, $"{_target.Display} has no pbm admin endpoint (GET /admin/v1/palettes answered 404)");
        var body = await ReadJsonAsync(response, cancellationToken);
        if (!response.IsSuccessStatusCode) throw Failure(response.StatusCode, body, null);
        try
        {
            return HostCatalog.Parse(body);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or JsonException)
        {
            throw new PbmException(ExitCodes.Unreachable, $"{_target.Display} answered GET /admin/v1/palettes with something pbm does not understand ({e.Message})");
        }
    }

    /// <summary>Runs a command; the answer's <c>data</c> and <c>view</c>.</summary>
    public async Task<JsonElement> RunAsync(CommandSpec command, JsonObject args, CancellationToken cancellationToken)
    {
        using var request = Post(command, args);
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var body = await ReadJsonAsync(response, cancellationToken);
        return response.IsSuccessStatusCode ? body : throw Failure(response.StatusCode, body, command.Usage);
    }

    /// <summary>Runs a streaming command: each NDJSON event until the host ends the stream or the caller cancels.</summary>
    public async IAsyncEnumerable<JsonElement> StreamAsync(CommandSpec command, JsonObject args,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = Post(command, args);
        using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode) throw Failure(response.StatusCode, await ReadJsonAsync(response, cancellationToken), command.Usage);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                throw new PbmException(ExitCodes.Unreachable, $"the connection to {_target.Display} was lost ({Reason(e)})");
            }
            if (line is null) yield break;
            if (line.Length == 0) continue;
            using var document = JsonDocument.Parse(line);
            yield return document.RootElement.Clone();
        }
    }

    public void Dispose() => _http.Dispose();

    private HttpRequestMessage Post(CommandSpec command, JsonObject args) =>
        new(HttpMethod.Post, command.Path.TrimStart('/')) { Content = new StringContent(args.ToJsonString(), Encoding.UTF8, "application/json") };

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            return await _http.SendAsync(request, completion, timeout.Token);
        }
        catch (HttpRequestException e)
        {
            throw new PbmException(ExitCodes.Unreachable, $"cannot reach {_target.Display}: {Reason(e)}");
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The connect timeout surfaces as a cancellation with a TimeoutException inside.
            throw e.InnerException is TimeoutException
                ? new PbmException(ExitCodes.Unreachable, $"cannot reach {_target.Display}: no connection within {ConnectTimeout.TotalSeconds:0} s")
                : new PbmException(ExitCodes.Failed, $"{_target.Display} did not answer within {_timeout.TotalSeconds:0} s (--timeout)");
        }
    }

    private async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            var status = (int)response.StatusCode;
            throw new PbmException(ExitCodes.Unreachable,
                $"{_target.Display} answered {status} {response.ReasonPhrase} without JSON: is it an ActorPubSub node or lighthouse web server?");
        }
    }

    private PbmException Failure(HttpStatusCode status, JsonElement body, string? usage)
    {
        var error = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("error", out var e) ? e.GetString() : null;
        error ??= $"{(int)status} {status}";
        return (int)status switch
        {
            401 => new PbmException(ExitCodes.Unreachable, $"{_target.Display} refused the admin token: {error}"),
            403 => new PbmException(ExitCodes.Unreachable, $"{_target.Display}: {error}"),
            400 => PbmException.UsageError(error, body.ValueKind == JsonValueKind.Object && body.TryGetProperty("usage", out var u) ? u.GetString() : usage),
            _ => new PbmException(ExitCodes.Failed, error),
        };
    }

    private static string Reason(Exception e) => e.InnerException switch
    {
        SocketException socket => socket.Message,
        { } inner when inner is not null => inner.Message,
        _ => e.Message,
    };
}
