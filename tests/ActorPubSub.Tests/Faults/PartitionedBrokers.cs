using System.Net;
using ActorPubSub.Tests.Support.Stores;
using Npgsql;
using Xunit.Abstractions;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// The partition tests' cluster: each broker in a network namespace of its own (<see cref="PartitionNetwork"/>), the
/// lighthouse and the test's client on the host side, and the brokers' database reached through a forwarder on the
/// host side's storage address, which a partition leaves reachable (the harder case: a cut-off broker still writes).
/// </summary>
internal sealed class PartitionedBrokers : IAsyncDisposable
{
    private readonly TcpForwarder _forwarder;

    private PartitionedBrokers(TcpForwarder forwarder, IReadOnlyList<BrokerPlacement> placements, BrokerCluster cluster) =>
        (_forwarder, Placements, Cluster) = (forwarder, placements, cluster);

    /// <summary>Where each broker runs (index = broker number - 1); also where extra members go to share a broker's side.</summary>
    public IReadOnlyList<BrokerPlacement> Placements { get; }

    public BrokerCluster Cluster { get; }

    public static async Task<PartitionedBrokers> StartAsync(ITestOutputHelper output, PartitionNetwork network, int brokers)
    {
        var database = new NpgsqlConnectionStringBuilder(TestPostgreSql.ConnectionString);
        var forwarder = TcpForwarder.Start(network.StorageAddress, new IPEndPoint(IPAddress.Parse(database.Host!), database.Port));
        try
        {
            var viaForwarder = new NpgsqlConnectionStringBuilder(database.ConnectionString)
            {
                Host = network.StorageAddress.ToString(), Port = forwarder.Port,
            }.ConnectionString;
            var placements = Enumerable.Range(1, brokers)
                .Select(n => new BrokerPlacement(network.BrokerAddress(n), viaForwarder, network.Launcher(n))).ToList();
            var cluster = await BrokerCluster.StartAsync(output, TestPostgreSql.ConnectionString, placements, network.HostAddress);
            return new PartitionedBrokers(forwarder, placements, cluster);
        }
        catch
        {
            await forwarder.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await _forwarder.DisposeAsync();
    }
}
