using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ActorPubSub.Server.Admin;

/// <summary>Writes the admin endpoint's JSON answers: results, one-line errors and NDJSON stream events.</summary>
internal static class AdminResponses
{
    public const string JsonType = "application/json; charset=utf-8";
    public const string StreamType = "application/x-ndjson; charset=utf-8";

    /// <summary>Quotes and non-ASCII text as they are (not \u0027): the answers are read by people too (curl).</summary>
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Task WriteAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = JsonType;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(body.ToJsonString(Options) + "\n", Encoding.UTF8, context.RequestAborted);
    }

    /// <summary><c>{"error":"one line", ...details}</c>.</summary>
    public static Task ErrorAsync(HttpContext context, int status, string error, JsonObject? details = null)
    {
        var body = new JsonObject { ["error"] = OneLine(error) };
        foreach (var (key, value) in details ?? []) body[key] = value?.DeepClone();
        return WriteAsync(context, status, body);
    }

    public static Task ErrorAsync(HttpContext context, AdminException error) => ErrorAsync(context, error.Status, error.Message, error.Details);

    /// <summary>Starts an NDJSON stream (chunked: no length is known).</summary>
    public static void StartStream(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = StreamType;
        context.Response.Headers.CacheControl = "no-store";
    }

    /// <summary>Writes one event as a line and flushes it, so the client sees it at once.</summary>
    public static async Task WriteEventAsync(HttpContext context, CommandEvent e, CancellationToken cancellationToken)
    {
        await context.Response.WriteAsync(e.ToJson().ToJsonString(Options) + "\n", Encoding.UTF8, cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>Errors are one line: an exception message with line breaks would break pbm's one-line error.</summary>
    public static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
