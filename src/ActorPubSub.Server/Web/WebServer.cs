using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorPubSub.Server.Web;

/// <summary>
/// The program's small web server (Kestrel): one HTTP listener on the configured <see cref="HttpAddress"/>, serving the
/// health endpoints now and the admin endpoint (issue 5: pbm commands, a bearer token when not on loopback) later.
/// </summary>
internal static partial class WebServer
{
    /// <summary>Listens on <paramref name="address"/> only (ASPNETCORE_URLS and the like are not used).</summary>
    public static IWebHostBuilder UseHttpAddress(this IWebHostBuilder web, HttpAddress address) =>
        web.ConfigureKestrel(kestrel => kestrel.Listen(address.Ip, address.Port));

    /// <summary>Logs the address actually bound (the port when 0 was configured) once the server listens.</summary>
    public static WebApplication LogHttpAddressOnStart(this WebApplication app, ILogger logger)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
            Listening(logger, string.Join(", ", app.Urls), string.Join(", ", HealthEndpoints.Paths)));
        return app;
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Health endpoints on {Urls} ({Paths})")]
    private static partial void Listening(ILogger logger, string urls, string paths);
}
