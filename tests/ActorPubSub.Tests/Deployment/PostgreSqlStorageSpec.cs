using System.Net;
using ActorPubSub.Tests.Support;
using ActorPubSub.Tests.Support.Stores;
using Npgsql;

namespace ActorPubSub.Tests.Deployment;

/// <summary>
/// The broker node process on a real PostgreSQL (the server of <see cref="TestPostgreSql"/>): it runs on it with
/// <c>StorageProvider=postgresql</c> and reports its journal ready. (What topics keep in PostgreSQL across a restart is
/// <c>Storage/PostgreSqlStoreContractSpec</c>.)
/// </summary>
[Trait("Category", "Integration")]
public sealed class PostgreSqlStorageSpec : IDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);
    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("actorpubsub-pg-").FullName;

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

    public void Dispose() => Directory.Delete(_workingDirectory, recursive: true);
}
