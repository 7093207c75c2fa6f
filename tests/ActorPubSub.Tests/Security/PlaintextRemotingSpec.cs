using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote.Hosting;
using ActorPubSub.Hosting;
using ActorPubSub.Lighthouse;
using ActorPubSub.Node;
using ActorPubSub.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorPubSub.Tests.Security;

/// <summary>
/// Reproduction for #13 (item 2): in cluster mode remoting was plain TCP on 0.0.0.0 and any process that reached the port
/// could join. Off loopback a member now needs mutual TLS or an explicit <c>AllowPlaintextRemoting=true</c>: the node and
/// the lighthouse refuse to start with one line naming the setting (their processes exit with code 2, see
/// NodeProcessSpec and LighthouseProcessSpec), the embedded <c>WithActorPubSub</c> with an exception. Loopback needs
/// nothing (the README's standalone node).
/// </summary>
[Trait("Category", "Unit")]
public sealed class PlaintextRemotingSpec : IDisposable
{
    private const string Seed = "akka.tcp://actorpubsub@lighthouse-0.lighthouse:4053";
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create("PlaintextRemotingSpec CA");

    [Fact]
    public void Broker_node_bound_off_loopback_should_need_TLS_or_AllowPlaintextRemoting()
    {
        // arrange: a cluster node advertising its pod name binds every interface
        var plain = new NodeSettings { SeedNodes = [Seed], PublicHostname = "broker-0.broker", AllowSqliteInCluster = true };
        var allowed = new NodeSettings { SeedNodes = [Seed], PublicHostname = "broker-0.broker", AllowPlaintextRemoting = true, AllowSqliteInCluster = true };
        var standaloneOnEveryInterface = new NodeSettings { Hostname = "0.0.0.0" };
        var (certificate, password) = _ca.Issue("broker-0");
        var tls = new NodeSettings
        {
            SeedNodes = [Seed.Replace("akka.tcp", "akka.ssl.tcp", StringComparison.Ordinal)], PublicHostname = "broker-0.broker", AllowSqliteInCluster = true,
            TlsCertificatePath = certificate, TlsCertificatePassword = password, TlsCaCertificatePath = _ca.CertificatePath,
        };

        // act
        var error = plain.Validate();

        // assert
        Assert.Equal("0.0.0.0", plain.BindHostname);
        Assert.NotNull(error);
        Assert.StartsWith("Invalid setting Node:TlsCertificatePath (ACTORPUBSUB_Node__TlsCertificatePath) = '': is required: Akka.Remote binds 0.0.0.0, off loopback", error, StringComparison.Ordinal);
        Assert.Contains("Node:AllowPlaintextRemoting=true", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
        Assert.NotNull(standaloneOnEveryInterface.Validate());
        Assert.Null(allowed.Validate());
        Assert.Null(tls.Validate());
    }

    [Fact]
    public void Broker_node_on_loopback_should_start_without_TLS()
    {
        // The README's standalone node, and a cluster node that advertises a loopback address (it binds only there).
        Assert.Null(new NodeSettings().Validate());
        Assert.Null(new NodeSettings { SeedNodes = ["akka.tcp://actorpubsub@127.0.0.1:4053"], PublicHostname = "127.0.0.1", AllowSqliteInCluster = true }.Validate());
        Assert.Null(new NodeSettings { SeedNodes = ["akka.tcp://actorpubsub@127.0.0.1:4053"], Hostname = "localhost", PublicHostname = "localhost", AllowSqliteInCluster = true }.Validate());
    }

    [Fact]
    public void Lighthouse_bound_off_loopback_should_need_TLS_or_AllowPlaintextRemoting()
    {
        // arrange
        var plain = new LighthouseSettings { PublicHostname = "lighthouse-0.lighthouse" };
        var allowed = new LighthouseSettings { PublicHostname = "lighthouse-0.lighthouse", AllowPlaintextRemoting = true };

        // act
        var error = plain.Validate();

        // assert
        Assert.NotNull(error);
        Assert.StartsWith("Invalid setting Lighthouse:TlsCertificatePath (ACTORPUBSUB_Lighthouse__TlsCertificatePath) = '': is required: Akka.Remote binds 0.0.0.0", error, StringComparison.Ordinal);
        Assert.Contains("Lighthouse:AllowPlaintextRemoting=true", error, StringComparison.Ordinal);
        Assert.Null(allowed.Validate());
        Assert.Null(new LighthouseSettings().Validate());   // 127.0.0.1 by default
    }

    [Theory]
    [InlineData("hostname = 0.0.0.0", true)]
    [InlineData("hostname = \"\"", true)]
    [InlineData("hostname = 10.1.2.3", true)]
    [InlineData("hostname = 10.1.2.3\nenable-ssl = on\nssl.require-mutual-authentication = off", true)]
    [InlineData("hostname = 10.1.2.3\nenable-ssl = on\nssl.suppress-validation = on", true)]
    [InlineData("hostname = 10.1.2.3\nenable-ssl = on", false)]
    [InlineData("hostname = 127.0.0.1", false)]
    [InlineData("hostname = \"::1\"", false)]
    [InlineData("hostname = localhost", false)]
    public void Embedded_check_should_refuse_remoting_open_to_anyone(string tcp, bool refused)
    {
        // arrange
        var config = ConfigurationFactory.ParseString($"akka.remote.dot-netty.tcp {{\n{tcp}\n}}")
            .WithFallback(PubSubConfig.Default);
        var allowed = ConfigurationFactory.ParseString("actorpubsub.allow-plaintext-remoting = on").WithFallback(config);

        // act
        var problem = RemotingExposure.Problem(config);

        // assert
        Assert.Equal(refused, problem is not null);
        Assert.Null(RemotingExposure.Problem(allowed));
        if (problem is not null) Assert.Contains("PubSubOptions.AllowPlaintextRemoting = true", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embedded_WithActorPubSub_should_not_start_on_plain_TCP_off_loopback()
    {
        // arrange: the host configures remoting on every interface after WithActorPubSub (as a client member does)
        using var database = new TempDatabase();
        using var host = new HostBuilder().ConfigureServices(services => services.AddAkka("plaintext", (builder, _) =>
        {
            builder.AddHocon("akka.coordinated-shutdown.exit-clr = off", HoconAddMode.Prepend);
            builder.WithActorPubSub(new PubSubOptions { SqliteFile = database.File, StandaloneCluster = false, AllowSqliteInCluster = true });
            builder.WithRemoting("0.0.0.0", 0);
            builder.WithClustering(new ClusterOptions());
        })).Build();

        // act
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        // assert
        Assert.StartsWith("ActorPubSub: Akka.Remote binds 0.0.0.0, off loopback, with plain TCP", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _ca.Dispose();
}
