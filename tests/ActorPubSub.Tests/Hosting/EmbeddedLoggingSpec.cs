using System.Text.RegularExpressions;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Observability;
using ActorPubSub.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorPubSub.Tests.Hosting;

/// <summary>Runs alone: it captures the process's stdout, which every other test would write to as well.</summary>
[CollectionDefinition(nameof(ConsoleCaptureCollection), DisableParallelization = true)]
public sealed class ConsoleCaptureCollection;

/// <summary>
/// An embedded node logs Akka's events through the host's Microsoft.Extensions.Logging (its providers, filters and
/// format), not as Akka's own raw lines on stdout beside the host's log.
/// </summary>
[Collection(nameof(ConsoleCaptureCollection))]
[Trait("Category", "Integration")]
public sealed partial class EmbeddedLoggingSpec
{
    [Fact]
    public async Task Embedded_start_should_log_Akka_through_the_logger_factory_and_write_no_raw_Akka_lines_to_stdout()
    {
        // arrange
        using var db = new TempDatabase();
        var provider = new CapturingLoggerProvider();
        var stdout = new StringWriter();
        var original = Console.Out;
        Console.SetOut(TextWriter.Synchronized(stdout));
        try
        {
            // act: start (akka.loglevel = INFO, as PubSubNode sets it) and form the one-node cluster
            var node = await PubSubNode.StartAsync(new PubSubOptions { SqliteFile = db.File },
                services: s => s.AddLogging(l => l.AddProvider(provider)));
            await using (node)
            {
                await Eventually.HoldsAsync(() => provider.Entries.Any(e => e.Category.StartsWith("Akka.", StringComparison.Ordinal)),
                    "an Akka log event reached the ILoggerProvider", TimeSpan.FromSeconds(60));
                // Started and Up; the capture ends here: at shutdown Akka 1.5.74 still prints its last line
                // ("Remoting shut down.") raw after the loggers stopped (docs/observability.md).
                Console.SetOut(original);
            }
        }
        finally
        {
            Console.SetOut(original);
        }

        // assert
        var raw = stdout.ToString().Split('\n').Where(l => AkkaLine().IsMatch(l)).ToList();
        Assert.True(raw.Count == 0, $"Akka wrote {raw.Count} raw lines to stdout, e.g.:\n{string.Join('\n', raw.Take(5))}");
        Assert.Contains(provider.Entries, e => e.Category.StartsWith("Akka.", StringComparison.Ordinal) && e.Message.Contains("Cluster", StringComparison.Ordinal));
    }

    // Akka's StandardOutLogger format: [INFO][12/04/2026 10:48:38.123Z][Thread 0001][akka://...] text
    [GeneratedRegex(@"^\[(DEBUG|INFO|WARNING|ERROR)\]\[")]
    private static partial Regex AkkaLine();
}
