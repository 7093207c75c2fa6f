using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;
using Akka.Actor;
using Akka.Serialization;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace ActorPubSub.Tests.Serialization;

/// <summary>Runs only with ACTORPUBSUB_WRITE_LEGACY_FIXTURES=1: it writes fixtures, it tests nothing.</summary>
public sealed class FixtureGeneratorFactAttribute : FactAttribute
{
    public FixtureGeneratorFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("ACTORPUBSUB_WRITE_LEGACY_FIXTURES") != "1")
            Skip = "writes the legacy fixtures; set ACTORPUBSUB_WRITE_LEGACY_FIXTURES=1 to run";
    }
}

/// <summary>Writes Fixtures/legacy.db and Fixtures/legacy-samples.txt with the pre-protobuf serializers.</summary>
public sealed class LegacyFixtureGenerator(ITestOutputHelper output)
{
    public const string Topic = "orders";

    [FixtureGeneratorFact]
    public async Task Write_legacy_samples()
    {
        using var system = ActorSystem.Create("samples", PubSubConfig.Default);
        var lines = new StringBuilder();
        foreach (var (name, value) in LegacySamples.All)
        {
            var serializer = (SerializerWithStringManifest)system.Serialization.FindSerializerFor(value);
            lines.Append(name).Append('\t').Append(serializer.Identifier).Append('\t').Append(serializer.Manifest(value))
                .Append('\t').Append(Convert.ToBase64String(serializer.ToBinary(value))).Append('\n');
        }
        await File.WriteAllTextAsync(LegacySamples.FixturePath("legacy-samples.txt"), lines.ToString());
        await system.Terminate();
    }

    [FixtureGeneratorFact]
    public async Task Write_legacy_database()
    {
        using var db = new TempDatabase();
        var options = new PubSubOptions
        {
            SqliteFile = db.File,
            // a topic snapshot after a few KiB of journal, a dead-letter snapshot after three events
            ExtraHocon = "actorpubsub.topic.min-snapshot-bytes = 4 KiB\nactorpubsub.dead-letters.snapshot-every = 3",
        };
        var node = await PubSubNode.StartAsync(options);
        var client = node.Client;
        var fixedUp = false;
        var billingSeen = new ConcurrentQueue<string>();
        var auditSeen = new ConcurrentQueue<string>();

        // subscriptions: billing with every option, audit with the defaults, temp created and deleted
        await client.CreateSubscriptionAsync(Topic, "billing", new SubscriptionOptions
        {
            Filter = "region = \"eu\"",
            OrderedByKey = true,
            MaxDeliveryAttempts = 2,
            AckDeadline = TimeSpan.FromSeconds(20),
            Backoff = new RetryBackoff(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(50), 2),
        });
        await client.CreateSubscriptionAsync(Topic, "audit");
        await client.CreateSubscriptionAsync(Topic, "temp");
        await client.DeleteSubscriptionAsync(Topic, "temp");

        await using var billing = await client.SubscribeAsync<string>(Topic, "billing", (d, _) =>
        {
            if (!Volatile.Read(ref fixedUp) && d.Message.StartsWith("poison", StringComparison.Ordinal))
                throw new InvalidOperationException($"cannot price {d.Message}");
            if (d.Message.StartsWith("reject", StringComparison.Ordinal))
                throw new UnprocessableMessageException($"not an order: {d.Message}");
            billingSeen.Enqueue(d.Message);
            return Task.CompletedTask;
        });
        var audit = await client.SubscribeAsync<string>(Topic, "audit", (d, _) =>
        {
            auditSeen.Enqueue(d.Message);
            return Task.CompletedTask;
        });

        // before the snapshot: 1 ok, 2 poison (dead-lettered after 2 attempts), 3 unprocessable, 4 filtered out, 5 large
        await Publish(client, 1, "order-1", "k1", "eu");
        await Publish(client, 2, "poison-2", "k2", "eu");
        await WaitForLetter(client, 2);
        await Publish(client, 3, "reject-3", "k3", "eu");
        await WaitForLetter(client, 3);
        await Publish(client, 4, "order-4", "k4", "us");
        await Publish(client, 5, "large-5-" + new string('x', 5000), "k1", "eu");
        await Eventually.HoldsAsync(() => auditSeen.Count == 5, "audit consumed the first five");
        await Eventually.HoldsAsync(() => client.GetTopicInfoAsync(Topic),
            i => i.Subscriptions.All(s => s.Pending == 0 && s.DeadLettering == 0), "everything acked and transferred");
        await Eventually.HoldsAsync(() => Count(db.File, "SELECT COUNT(*) FROM snapshot WHERE persistence_id LIKE '%orders%'") > 0,
            "the topic took a snapshot");
        await audit.DisposeAsync();

        // after the snapshot: 6 poison (a failure and a transfer in the journal), 7 ok, a redrive of 2, a seek, retention, 8 for audit only
        await Publish(client, 6, "poison-6", "k1", "eu");
        await WaitForLetter(client, 6);
        await Publish(client, 7, "order-7", "k2", "eu");
        Volatile.Write(ref fixedUp, true);
        await client.RedriveDeadLettersAsync(Topic, "billing", [2]);
        await Eventually.HoldsAsync(() => billingSeen.Contains("poison-2"), "the redriven message was processed");
        await client.SeekAsync(Topic, "billing", DateTime.UtcNow.AddSeconds(1));
        await client.ConfigureTopicAsync(Topic, new TopicRetention(TimeSpan.FromHours(1), 100));
        await client.CreateSubscriptionAsync(Topic, "late", new SubscriptionOptions { Start = StartPosition.Latest });
        await client.DeleteSubscriptionAsync(Topic, "late");
        await Publish(client, 8, "order-8", "k3", "us");
        var info = await Eventually.HoldsAsync(() => client.GetTopicInfoAsync(Topic),
            i => i.Subscriptions.Single(s => s.Name == "billing") is { Pending: 0, DeadLettering: 0, InFlight: 0 } && i.LastSequence == 8,
            "billing settled");
        await billing.DisposeAsync();
        var letters = await client.ListDeadLettersAsync(Topic, "billing");
        output.WriteLine($"TopicInfo: {info}");
        foreach (var s in info.Subscriptions) output.WriteLine($"  {s}");
        foreach (var l in letters.Letters) output.WriteLine($"  letter {l.Id} seq {l.Message.Sequence} {l.Reason} {l.LastError}");
        await node.DisposeAsync();

        // one self-contained file (no -wal), without the pages of deleted rows
        var fixture = LegacySamples.FixturePath("legacy.db");
        File.Delete(fixture);
        await using (var connection = new SqliteConnection($"Data Source={db.File};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"VACUUM INTO '{fixture}'";
            await command.ExecuteNonQueryAsync();
        }
        await using (var connection = new SqliteConnection($"Data Source={fixture};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = DELETE";
            await command.ExecuteNonQueryAsync();
            foreach (var sql in new[]
                     {
                         "SELECT persistence_id || ' ' || sequence_number || ' ' || manifest || ' ' || identifier || ' ' || deleted FROM journal ORDER BY ordering",
                         "SELECT persistence_id || ' ' || sequence_number || ' ' || manifest || ' ' || serializer_id FROM snapshot",
                     })
            {
                command.CommandText = sql;
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync()) output.WriteLine(reader.GetString(0));
            }
        }
    }

    private static Task<PublishReceipt> Publish(IPubSub client, int n, string body, string key, string region) =>
        client.PublishAsync(Topic, body, new PublishOptions
        {
            Key = key,
            Headers = ImmutableDictionary<string, string>.Empty.Add("region", region).Add("n", n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            MessageId = $"msg-{n}",
        });

    private static async Task WaitForLetter(IPubSub client, long sequence)
    {
        await Eventually.HoldsAsync(() => client.GetDeadLetterAsync(Topic, "billing", sequence), l => l is not null,
            $"letter {sequence} is in the store");
        await Eventually.HoldsAsync(() => client.GetTopicInfoAsync(Topic),
            i => i.Subscriptions.Single(s => s.Name == "billing") is { DeadLettering: 0, Pending: 0 },
            $"the topic confirmed letter {sequence}");
    }

    private static long Count(string file, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={file}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }
}
