using System.Collections.Concurrent;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;

namespace ActorPubSub.Tests.Catalog;

/// <summary>
/// The schema version travels with a message to <see cref="Delivery{T}.SchemaVersion"/>, and a consumer that states the
/// versions it reads gets those and sees the others dead-lettered at once with the reason (real node, SQLite journal).
/// </summary>
[Trait("Category", "Integration")]
public sealed class SchemaVersionDeliverySpec : IDisposable
{
    private const string V1 = """{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}""";
    private const string V2 = """{"type":"object","properties":{"id":{"type":"integer"},"note":{"type":"string"}},"required":["id"]}""";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Consumer_must_see_each_message_version_and_dead_letter_the_versions_it_does_not_read()
    {
        await using var node = await PubSubNode.StartAsync(new PubSubOptions { SqliteFile = _db.File });
        var client = node.Client;
        // Both subscriptions exist before the first publish (a message every subscription acked is not kept).
        var every = new ConcurrentQueue<Delivery<string>>();
        var second = new ConcurrentQueue<Delivery<string>>();
        var start = new SubscriptionOptions { Start = StartPosition.Earliest, MaxDeliveryAttempts = 5 };
        await using var all = await client.SubscribeAsync<string>("orders", "audit",
            (d, _) => { every.Enqueue(d); return Task.CompletedTask; }, start, null);
        await using var onlyV2 = await client.SubscribeAsync<string>("orders", "billing",
            (d, _) => { second.Enqueue(d); return Task.CompletedTask; }, start, new ConsumerOptions { AcceptedSchemaVersions = [2] });

        await client.PublishAsync("orders", """{"id":0}""");   // before any contract: no version
        await client.RegisterSchemaAsync("orders", V1, validation: ValidationMode.Enforce);
        await client.PublishAsync("orders", """{"id":1}""");
        await client.RegisterSchemaAsync("orders", V2);
        await client.PublishAsync("orders", """{"id":2,"note":"n"}""");

        // At least once: a message may come twice; each sequence carries its version.
        await Eventually.HoldsAsync(() => every.Select(d => d.Sequence).Distinct().Count() == 3, "the unfiltered consumer gets the three messages", Deadline);
        Assert.Equal(new int?[] { null, 1, 2 }, every.DistinctBy(d => d.Sequence).OrderBy(d => d.Sequence).Select(d => d.SchemaVersion));
        await Eventually.HoldsAsync(() => !second.IsEmpty, "the filtered consumer gets the version-2 message", Deadline);
        Assert.All(second, d => Assert.Equal((3L, (int?)2), (d.Sequence, d.SchemaVersion)));
        foreach (var (sequence, version) in new[] { (1L, "none (not checked at publish)"), (2L, "1") })
        {
            var letter = await Eventually.HoldsAsync(() => client.GetDeadLetterAsync("orders", "billing", sequence), l => l is not null,
                $"message #{sequence} is dead-lettered", Deadline);
            Assert.Equal(DeadLetterReason.Unprocessable, letter!.Reason);
            Assert.Equal(1, letter.Attempts);
            Assert.Contains($"it is of schema version {version}, and this consumer reads only schema version(s) 2", letter.LastError);
        }
    }

    [Fact]
    public async Task Consumer_options_must_refuse_an_empty_or_non_positive_version_list()
    {
        await using var node = await PubSubNode.StartAsync(new PubSubOptions { SqliteFile = _db.File });
        foreach (var versions in new[] { Array.Empty<int>(), [0] })
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(() => node.Client.SubscribeAsync<string>("orders", "s",
                (_, _) => Task.CompletedTask, null, new ConsumerOptions { AcceptedSchemaVersions = versions }));
            Assert.Contains("AcceptedSchemaVersions", error.Message);
        }
    }
}
