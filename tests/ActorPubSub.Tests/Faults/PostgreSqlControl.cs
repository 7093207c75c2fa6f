using System.Diagnostics;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// Stops and starts the test run's PostgreSQL server: <c>ACTORPUBSUB_TEST_POSTGRES_CTL</c> names a command taking
/// <c>stop</c> (an immediate shutdown: what a database crash looks like to its clients) or <c>start</c>.
/// <c>./test.sh</c> writes it for the throwaway server it starts. Fails loudly when unset.
/// </summary>
public static class PostgreSqlControl
{
    public const string Variable = "ACTORPUBSUB_TEST_POSTGRES_CTL";

    private static string Command =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } command
            ? command
            : throw new Xunit.Sdk.XunitException(
                $"{Variable} is not set, and this test stops and starts the PostgreSQL server of {Deployment.TestPostgreSql.Variable}. " +
                "Run the tests with ./test.sh (it sets both for the throwaway server it starts), or set it to a command that " +
                "takes stop or start for your server.");

    public static Task StopAsync() => RunAsync("stop");

    public static Task StartAsync() => RunAsync("start");

    private static async Task RunAsync(string verb)
    {
        var info = new ProcessStartInfo(Command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(verb);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{Command} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new Xunit.Sdk.XunitException($"`{Command} {verb}` failed with exit code {process.ExitCode}:\n{await stdout}{await stderr}");
    }
}
