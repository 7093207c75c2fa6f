using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace ActorPubSub.Server.Admin;

/// <summary>
/// The admin endpoint that pbm talks to, on the program's web server next to the health endpoints:
/// <list type="bullet">
/// <item><c>GET /admin/v1/palettes</c>: the palettes, commands and arguments this host serves;</item>
/// <item><c>POST /admin/v1/{palette}/{command}</c> with a JSON object of named arguments: runs the command and answers
/// <c>{"palette","command","data","view"}</c>, or, for a streaming command, NDJSON events until the caller hangs up;</item>
/// <item>errors: <c>{"error":"one line", ...}</c> with 400 (bad arguments, with the usage), 401 (token), 403 (disabled,
/// or a Host or Origin that is not the endpoint's own: see <see cref="AdminOrigin"/>), 404 (unknown palette, command or
/// thing, with what exists), 409, 413, 415 (a POST without <c>Content-Type: application/json</c>), 429 (busy), 503,
/// 504 (timeout), 500.</item>
/// </list>
/// Every request is validated before anything runs and every command is bounded in time, so no request can crash or
/// block the host.
/// </summary>
internal static class AdminEndpoints
{
    /// <summary>Largest request body: a publish of a text message of up to 1 MiB, with room for its JSON.</summary>
    public const int MaxBodyBytes = 2 * 1024 * 1024;

    public static WebApplication MapAdminEndpoints(this WebApplication app, AdminAccess access, AdminCatalog catalog, ILogger logger)
    {
        var gate = new AdminGate();
        var stopping = app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        app.Lifetime.ApplicationStarted.Register(() => LogAccess(app, access, catalog, logger));

        app.MapGet($"{AdminCatalog.BasePath}/palettes", context => Guarded(context, access, logger, () =>
            AdminResponses.WriteAsync(context, 200, catalog.Describe((System(context) as ExtendedActorSystem)?.Provider.DefaultAddress.ToString()))));
        app.MapPost($"{AdminCatalog.BasePath}/{{palette}}/{{**command}}", context => Guarded(context, access, logger, () =>
            JsonBody(context) ?? new AdminRequest(context, catalog, gate, logger, stopping).RunAsync()));
        // Anything else under /admin: a JSON 404 that says where to start, not an empty one.
        RequestDelegate unknown = context => Guarded(context, access, logger, () => AdminResponses.ErrorAsync(context, 404,
            $"no admin resource {context.Request.Method} {context.Request.Path}; start with GET {AdminCatalog.BasePath}/palettes, "
            + $"then POST {AdminCatalog.BasePath}/<palette>/<command>"));
        app.Map("/admin", unknown);
        app.Map("/admin/{**rest}", unknown);
        return app;
    }

    internal static ActorSystem? System(HttpContext context) =>
        context.RequestServices.GetService<ActorSystem>() is { WhenTerminated.IsCompleted: false } system ? system : null;

    /// <summary>
    /// The access rule first: a foreign Host or Origin → 403, disabled → 403, missing or wrong token → 401; then the
    /// request.
    /// </summary>
    private static Task Guarded(HttpContext context, AdminAccess access, ILogger logger, Func<Task> next)
    {
        if (access.Origin.Refuse(context) is { } foreign)
        {
            AdminLog.Foreign(logger, context.Request.Path, Remote(context), foreign);
            return AdminResponses.ErrorAsync(context, 403, foreign);
        }
        if (access.Mode == AdminMode.Disabled)
            return AdminResponses.ErrorAsync(context, 403, $"the admin endpoint is disabled: {access.Reason}");
        if (!access.Authorizes(context.Request.Headers.Authorization))
        {
            AdminLog.Unauthorized(logger, context.Request.Path, Remote(context));
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return AdminResponses.ErrorAsync(context, 401,
                "missing or wrong admin token: send Authorization: Bearer <token> (pbm --token or PBM_TOKEN)");
        }
        return next();
    }

    /// <summary>
    /// A command changes or reads state with a JSON body: anything else (a form or text/plain post, which a browser sends
    /// cross-site without asking) answers 415; null when the request is JSON. An empty JSON body is no arguments.
    /// </summary>
    private static Task? JsonBody(HttpContext context)
    {
        var type = context.Request.ContentType;
        if (type is not null && MediaTypeHeaderValue.TryParse(type, out var media)
            && string.Equals(media.MediaType.Value, "application/json", StringComparison.OrdinalIgnoreCase)
            && (media.Charset.Value is null || string.Equals(media.Charset.Value, "utf-8", StringComparison.OrdinalIgnoreCase)))
            return null;
        return AdminResponses.ErrorAsync(context, StatusCodes.Status415UnsupportedMediaType,
            $"a command needs Content-Type: application/json (UTF-8), not {(type is null ? "none" : $"'{type}'")}; send a JSON object of arguments, "
            + "e.g. curl -H 'Content-Type: application/json' -d '{\"topic\":\"orders\"}'");
    }

    internal static string Remote(HttpContext context) =>
        $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";

    private static void LogAccess(WebApplication app, AdminAccess access, AdminCatalog catalog, ILogger logger)
    {
        var urls = string.Join(", ", app.Urls);
        var palettes = string.Join(", ", catalog.PaletteNames);
        switch (access.Mode)
        {
            case AdminMode.Open: AdminLog.Open(logger, urls, AdminCatalog.BasePath, palettes, access.Reason); break;
            case AdminMode.TokenRequired: AdminLog.TokenRequired(logger, urls, AdminCatalog.BasePath, palettes, access.Reason); break;
            default: AdminLog.Disabled(logger, access.Reason); break;
        }
    }

    /// <summary>Reads the body (at most <see cref="MaxBodyBytes"/>) as JSON; an empty body is no arguments.</summary>
    internal static async Task<JsonElement> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodyBytes) throw TooLarge();
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) throw TooLarge();
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0) return default;
        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray());
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw AdminException.BadRequest($"the request body is not valid JSON ({e.Message}); send a JSON object of arguments, e.g. {{\"topic\":\"orders\"}}");
        }
    }

    private static AdminException TooLarge() =>
        new(413, $"the request body is larger than {MaxBodyBytes / 1024 / 1024} MiB", new JsonObject { ["limit"] = MaxBodyBytes });
}
