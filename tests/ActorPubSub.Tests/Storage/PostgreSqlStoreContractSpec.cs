using ActorPubSub.Tests.Support.Stores;

namespace ActorPubSub.Tests.Storage;

/// <summary>The durability rules on PostgreSQL: a database of its own per test on the test run's server.</summary>
[Collection(PostgreSqlCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PostgreSqlStoreContractSpec(PostgreSqlFixture postgreSql) : StoreContractSpec
{
    protected override Task<TestStore> CreateStoreAsync() => postgreSql.CreateStoreAsync();
}
