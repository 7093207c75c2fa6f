namespace ActorPubSub.Tests.Support.Stores;

/// <summary>
/// The specs that run on the test run's PostgreSQL server, one at a time and alone (like Akka.Persistence.Sql's specs
/// per database): their timings are not shared with a parallel test that loads the same server.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgreSqlCollection : ICollectionFixture<PostgreSqlFixture>
{
    public const string Name = "PostgreSQL";
}
