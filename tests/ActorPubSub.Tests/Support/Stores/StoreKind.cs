namespace ActorPubSub.Tests.Support.Stores;

/// <summary>The databases a topic can persist in.</summary>
public enum StoreKind
{
    /// <summary>A SQLite file of the test's own (several nodes of one test process may share it).</summary>
    Sqlite,

    /// <summary>A fresh database on the PostgreSQL server of <see cref="TestPostgreSql"/>.</summary>
    PostgreSql,
}
