using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActorPubSub.Server.Web;

/// <summary>
/// <c>/health/live</c> (the process is up: always 200) and <c>/health/ready</c> (200 when every readiness check passes,
/// else 503), each with a JSON body naming every check and what it found. No token: Kubernetes probes call them.
/// Each program registers its own readiness checks.
/// </summary>
internal static class HealthEndpoints
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    /// <summary>Every path the health endpoints serve.</summary>
    public static IReadOnlyList<string> Paths { get; } = [LivePath, ReadyPath];

    private const string ReadyTag = "ready";

    /// <summary>
    /// How long a check waits for what it asks (the journal, the shard coordinator), so a probe gets an answer naming
    /// what did not answer before the probe's own timeout (the manifests give probes 5 s).
    /// </summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The longest a readiness answer takes: the framework's own bound on a check, a safety net behind
    /// <see cref="CheckTimeout"/> (whose message says more). Probes must wait longer than this.
    /// </summary>
    public static readonly TimeSpan AnswerTimeout = CheckTimeout + TimeSpan.FromSeconds(1);

    /// <summary>Adds a check that <c>/health/ready</c> runs.</summary>
    public static IHealthChecksBuilder AddReadinessCheck<T>(this IHealthChecksBuilder checks, string name) where T : class, IHealthCheck =>
        checks.AddCheck<T>(name, HealthStatus.Unhealthy, [ReadyTag], AnswerTimeout);

    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(LivePath, new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = (context, _) => WriteAsync(context, "live", new Dictionary<string, HealthReportEntry>()),
        });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
            ResponseWriter = (context, report) =>
                WriteAsync(context, report.Status == HealthStatus.Healthy ? "ready" : "not ready", report.Entries),
        });
        return app;
    }

    // {"status":"not ready","checks":{"cluster-member":{"ready":false,"detail":"member status is Joining, not Up"}}}
    private static async Task WriteAsync(HttpContext context, string status, IReadOnlyDictionary<string, HealthReportEntry> entries)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", status);
            json.WriteStartObject("checks");
            foreach (var (name, entry) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                json.WriteStartObject(name);
                json.WriteBoolean("ready", entry.Status == HealthStatus.Healthy);
                json.WriteString("detail", entry.Description ?? entry.Exception?.Message ?? entry.Status.ToString());
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        await context.Response.Body.WriteAsync(buffer.ToArray());
    }
}
