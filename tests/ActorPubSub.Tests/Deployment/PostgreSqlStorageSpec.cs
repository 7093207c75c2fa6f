using System.Net;
using ActorPubSub.Hosting;
using ActorPubSub.Tests.Support;
using ActorPubSub.Tests.Support.Stores;
using Npgsql;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Deployment;

/// <summary>
/// Topics on a real PostgreSQL (the server of <see cref="TestPostgreSql"/>): what a node published is in the database
/// and still there for the node that starts next; the broker node process runs on it with
/// <c>StorageProvider=postgresql</c> and reports its journal ready.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PostgreSqlStorageSpec : IDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);
    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("actorpubsub-pg-").FullName;

    [Fact]
    public async Task Node_on_PostgreSQL_should_keep_published_messages_across_a_restart()
    {
        // arrange: a topic of its own, so reruns against one database do not meet
        var connectionString = TestPostgreSql.ConnectionString;
        var topic = $"pg-orders-{Guid.NewGuid():N}";
        await using (var node = await PubSubNode.StartAsync(new PubSubOptions { PostgreSqlConnectionString = connectionString }))
        {
            await node.Client.CreateSubscriptionAsync(topic, "billing");
            for (var i = 1; i <= 20; i++) await node.Client.PublishAsync(topic, $"order {i}");
        }

        // act: a new node on the same database
        await using var restarted = await PubSubNode.StartAsync(new PubSubOptions { PostgreSqlConnectionString = connectionString });
        var info = await restarted.Client.GetTopicInfoAsync(topic);
        var log = new DeliveryLog<string>();
        await using var subscription = await restarted.Client.SubscribeAsync<string>(topic, "billing", log.Recording);
        await log.ReceivedAsync(20);

        // assert
        Assert.Equal(20, info.LastSequence);
        Assert.Equal(20, Assert.Single(info.Subscriptions).Pending);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"order {i}"), log.All.OrderBy(d => d.Sequence).Select(d => d.Message).Distinct());
        Assert.True(await JournalRowsAsync(connectionString, topic) > 0, $"no journal rows for {topic} in PostgreSQL");
    }

    [Fact]
    public async Task Node_process_with_StorageProvider_postgresql_should_be_ready_on_PostgreSQL()
    {
        // arrange
        var connectionString = TestPostgreSql.ConnectionString;
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var node = ServiceProcess.StartNode(new Dictionary<string, string>
        {
            ["ACTORPUBSUB_Node__HttpAddress"] = "127.0.0.1:0",
            ["ACTORPUBSUB_Node__StorageProvider"] = "postgresql",
            ["ACTORPUBSUB_Node__PostgreSqlConnectionString"] = connectionString,
        }, _workingDirectory);

        // act
        var listening = await node.WaitForOutputAsync("ActorPubSub node listening on", StartDeadline);
        var url = await node.HttpUrlAsync(StartDeadline);
        var ready = await HealthClient.WaitForAsync(url, "/health/ready", a => a.Status == HttpStatusCode.OK, "the node is ready", StartDeadline);
        node.Signal(ServiceProcess.SigTerm);
        var exitCode = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));

        // assert
        Assert.Contains($"storage: PostgreSQL (host 127.0.0.1, database {database})", listening, StringComparison.Ordinal);
        Assert.True(ready.CheckReady("journal"), ready.ToString());
        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{node.Transcript}");
        Assert.False(Directory.Exists(Path.Combine(_workingDirectory, "data")), "the node created a SQLite folder although it runs on PostgreSQL");
    }

    private static async Task<long> JournalRowsAsync(string connectionString, string topic)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM journal WHERE persistence_id LIKE '%' || @topic || '%'", connection);
        command.Parameters.AddWithValue("topic", topic);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public void Dispose() => Directory.Delete(_workingDirectory, recursive: true);
}
