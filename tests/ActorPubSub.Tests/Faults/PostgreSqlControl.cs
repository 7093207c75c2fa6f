using ActorPubSub.Tests.Support.Stores;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// Stops and starts the test run's PostgreSQL server: <c>ACTORPUBSUB_TEST_POSTGRES_CTL</c> names a command taking
/// <c>stop</c> (an immediate shutdown: what a database crash looks like to its clients) or <c>start</c>.
/// <c>./test.sh</c> writes it for the throwaway server it starts. Fails loudly when unset.
/// </summary>
public static class PostgreSqlControl
{
    public const string Variable = "ACTORPUBSUB_TEST_POSTGRES_CTL";

    private static string ControlScript =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } command
            ? command
            : throw new Xunit.Sdk.XunitException(
                $"{Variable} is not set, and this test stops and starts the PostgreSQL server of {TestPostgreSql.Variable}. " +
                "Run the tests with ./test.sh (it sets both for the throwaway server it starts), or set it to a command that " +
                "takes stop or start for your server.");

    public static Task StopAsync() => RunAsync("stop");

    public static Task StartAsync() => RunAsync("start");

    private static Task RunAsync(string verb) => Command.RunAsync([ControlScript, verb]);
}
