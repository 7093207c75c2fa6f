using Akka.Configuration;
using ActorPubSub.Fencing;
using ActorPubSub.Tests.Support.Stores;

namespace ActorPubSub.Tests.Fencing;

/// <summary>
/// The fencing tables on each database: a lease lasts its TTL by the database's clock and ends when released; a holder is
/// taken by compare-and-set, so of two claims made on the same view only the first wins.
/// </summary>
[Trait("Category", "Integration")]
[Collection(PostgreSqlCollection.Name)]
public sealed class LeaseStoreSpec
{
    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.PostgreSql)]
    public async Task A_holder_should_be_taken_by_compare_and_set_and_show_its_lease(StoreKind kind)
    {
        // arrange
        await using var store = await TestStore.CreateAsync(kind);
        var leases = For(store);
        var ct = CancellationToken.None;
        await leases.RenewAsync("a#1", "first", TimeSpan.FromSeconds(30), ct);

        // act: a takes the free topic; b, having seen it free too, comes second; b then takes it from a as a's successor
        var first = await leases.TakeAsync("topic:t", "a#1", expected: null, ct);
        var stale = await leases.TakeAsync("topic:t", "b#2", expected: null, ct);
        var holder = await leases.HolderAsync("topic:t", ct);
        var successor = await leases.TakeAsync("topic:t", "b#2", expected: "a#1", ct);

        // assert
        Assert.True(first);
        Assert.False(stale);
        Assert.Equal("a#1", holder!.Member);
        Assert.True(holder.LeaseLeft > TimeSpan.FromSeconds(20) && holder.LeaseLeft <= TimeSpan.FromSeconds(30), holder.ToString());
        Assert.True(successor);
        var taken = await leases.HolderAsync("topic:t", ct);
        Assert.Equal("b#2", taken!.Member);
        Assert.False(taken.LeaseFresh);   // b never held a lease
        Assert.Null(await leases.HolderAsync("topic:other", ct));
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.PostgreSql)]
    public async Task A_holder_row_should_be_deleted_by_its_holder_only(StoreKind kind)
    {
        // arrange: a holds the topic, then b took it over; a holds another
        await using var store = await TestStore.CreateAsync(kind);
        var leases = For(store);
        var ct = CancellationToken.None;
        await leases.TakeAsync("topic:t", "a#1", expected: null, ct);
        await leases.TakeAsync("topic:t", "b#2", expected: "a#1", ct);
        await leases.TakeAsync("topic:u", "a#1", expected: null, ct);

        // act: a, stopping its stale copy of t and its copy of u, deletes its rows
        var staleDeleted = await leases.ReleaseTopicAsync("topic:t", "a#1", ct);
        var ownDeleted = await leases.ReleaseTopicAsync("topic:u", "a#1", ct);

        // assert: b's row stays; a's is gone, and anyone may take u from nobody again
        Assert.False(staleDeleted);
        Assert.Equal("b#2", (await leases.HolderAsync("topic:t", ct))!.Member);
        Assert.True(ownDeleted);
        Assert.Null(await leases.HolderAsync("topic:u", ct));
        Assert.True(await leases.TakeAsync("topic:u", "c#3", expected: null, ct));
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.PostgreSql)]
    public async Task A_released_lease_should_no_longer_be_fresh(StoreKind kind)
    {
        await using var store = await TestStore.CreateAsync(kind);
        var leases = For(store);
        var ct = CancellationToken.None;
        await leases.RenewAsync("a#1", "first", TimeSpan.FromSeconds(30), ct);
        await leases.TakeAsync("topic:t", "a#1", null, ct);
        Assert.True((await leases.HolderAsync("topic:t", ct))!.LeaseFresh);

        await leases.ReleaseAsync("a#1", ct);

        Assert.False((await leases.HolderAsync("topic:t", ct))!.LeaseFresh);
    }

    [Fact]
    public void Settings_should_refuse_a_lease_ttl_under_a_second_naming_the_key()
    {
        var error = Assert.Throws<ConfigurationException>(() =>
            FencingSettings.Create(ConfigurationFactory.ParseString("fencing.lease-ttl = 500ms")));
        Assert.Contains("actorpubsub.fencing.lease-ttl must be at least 1s", error.Message);
        var defaults = FencingSettings.Create(ConfigurationFactory.ParseString("other = 1"));
        Assert.Equal((true, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(2)), (defaults.Enabled, defaults.LeaseTtl, defaults.RenewInterval));
    }

    private static LeaseStore For(TestStore store) => store switch
    {
        SqliteStore sqlite => LeaseStore.For("SQLite.MS", $"Data Source={sqlite.File}")!,
        PostgreSqlStore pg => LeaseStore.For("PostgreSQL.15", pg.ConnectionString)!,
        _ => throw new ArgumentOutOfRangeException(nameof(store)),
    };
}
