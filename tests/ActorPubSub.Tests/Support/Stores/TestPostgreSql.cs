namespace ActorPubSub.Tests.Support.Stores;

/// <summary>
/// The PostgreSQL server of the test run: <c>ACTORPUBSUB_TEST_POSTGRES</c>, an Npgsql connection string that
/// <c>./test.sh</c> sets after starting a throwaway PostgreSQL cluster of its own. A test that needs PostgreSQL fails
/// when it is unset: it never skips silently.
/// </summary>
public static class TestPostgreSql
{
    public const string Variable = "ACTORPUBSUB_TEST_POSTGRES";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } connectionString
            ? connectionString
            : throw new Xunit.Sdk.XunitException(
                $"{Variable} is not set, and this test needs a real PostgreSQL server. Run the tests with ./test.sh (it installs " +
                "PostgreSQL if missing, starts a throwaway server on a free loopback port and sets the variable), or set " +
                $"{Variable}=\"Host=127.0.0.1;Port=5432;Username=...;Password=...;Database=...\" yourself.");
}
