using ActorPubSub.Hosting;

namespace ActorPubSub.Tests.Support.Stores;

/// <summary>
/// The journal and snapshot store of one test (or one test cluster), empty when created and deleted when disposed:
/// it points a node's options at itself and answers SQL over the plugin's tables (<c>journal</c>, <c>snapshot</c>).
/// </summary>
public abstract class TestStore : IAsyncDisposable
{
    public abstract StoreKind Kind { get; }

    /// <summary>Creates an empty store of <paramref name="kind"/>.</summary>
    public static async Task<TestStore> CreateAsync(StoreKind kind) => kind switch
    {
        StoreKind.Sqlite => new SqliteStore(),
        StoreKind.PostgreSql => await PostgreSqlStore.CreateAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Sets <paramref name="options"/> to persist in this store; returns them.</summary>
    public abstract PubSubOptions Apply(PubSubOptions options);

    /// <summary>Runs a scalar query (a count, a MAX) against the store; NULL reads as 0.</summary>
    public abstract Task<long> QueryAsync(string sql);

    public abstract ValueTask DisposeAsync();

    public override string ToString() => Kind.ToString();

    protected static long ToLong(object? value) =>
        value is null or DBNull ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
}
