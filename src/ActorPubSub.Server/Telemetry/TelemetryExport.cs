using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ActorPubSub.Server.Telemetry;

/// <summary>
/// The program's metrics and traces, exported by OpenTelemetry: Prometheus text at <see cref="MetricsPath"/> on the
/// web server (no token, like the health endpoints: scrapers call it), and OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter reads the other standard <c>OTEL_EXPORTER_OTLP_*</c>
/// variables itself).
/// </summary>
internal static partial class TelemetryExport
{
    public const string MetricsPath = "/metrics";

    /// <summary>The standard variable that turns OTLP export (metrics and traces) on.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>.NET's built-in runtime meter (GC, thread pool, CPU, memory), shown by both programs.</summary>
    public const string RuntimeMeter = "System.Runtime";

    /// <param name="serviceName">The <c>service.name</c> resource attribute, unless <c>OTEL_SERVICE_NAME</c> sets one.</param>
    /// <param name="meters">The program's own meters and activity sources, besides the runtime's.</param>
    public static IServiceCollection AddTelemetryExport(this IServiceCollection services, IConfiguration configuration,
        string serviceName, params string[] meters)
    {
        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] ?? serviceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter([RuntimeMeter, .. meters]);
                metrics.AddPrometheusExporter();
                if (otlp) metrics.AddOtlpExporter();
            });
        // Spans are only worth creating when they go somewhere: without OTLP no listener is attached, and the
        // activity source creates nothing.
        if (otlp) telemetry.WithTracing(tracing => tracing.AddSource(meters).AddOtlpExporter());
        return services;
    }

    public static WebApplication MapMetricsEndpoint(this WebApplication app, ILogger logger)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        var otlpEndpoint = app.Configuration[OtlpEndpointVariable];
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            Listening(logger, string.Join(", ", app.Urls.Select(url => url + MetricsPath)));
            if (!string.IsNullOrWhiteSpace(otlpEndpoint)) OtlpExport(logger, otlpEndpoint);
        });
        return app;
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "Metrics (Prometheus text) on {Urls}")]
    private static partial void Listening(ILogger logger, string urls);

    [LoggerMessage(EventId = 31, Level = LogLevel.Information, Message = "Exporting metrics and traces by OTLP to {Endpoint}")]
    private static partial void OtlpExport(ILogger logger, string endpoint);
}
