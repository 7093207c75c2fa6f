using ActorPubSub.Tests.Support.Stores;

namespace ActorPubSub.Tests.Storage;

/// <summary>The durability rules on SQLite: a file of its own per test.</summary>
[Trait("Category", "Integration")]
public sealed class SqliteStoreContractSpec : StoreContractSpec
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.CreateAsync(StoreKind.Sqlite);
}
