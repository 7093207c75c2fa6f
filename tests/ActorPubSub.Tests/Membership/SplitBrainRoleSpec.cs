using Akka.Cluster;
using Akka.Configuration;
using ActorPubSub.Hosting;
using ActorPubSub.Lighthouse;
using ActorPubSub.Node;
using ActorPubSub.Tests.Support;
using AkkaSbr = Akka.Cluster.SBR.SplitBrainResolverSettings;

namespace ActorPubSub.Tests.Membership;

/// <summary>
/// Reproduction for #13 (item 10): the Split Brain Resolver counted every member, clients included, so a partition that
/// left 1 broker with 4 clients (5 of 9) kept that side and downed the lighthouse and 2 brokers. Every host's
/// configuration must now limit the decision to the broker role, read the way Akka reads it: the broker node, the
/// lighthouse, and the client extension (embedded <c>WithActorPubSub</c>, topic host or client), with one setting.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SplitBrainRoleSpec
{
    private const string BrokerRole = NodeSettings.DefaultRole;

    /// <summary>Akka.Cluster's own reference configuration (what a real ActorSystem falls back to).</summary>
    private static readonly Config AkkaClusterDefaults =
        ConfigurationFactory.FromResource<ClusterSettings>("Akka.Cluster.Configuration.Cluster.conf");

    [Fact]
    public void Broker_node_should_decide_by_its_own_role_by_default_and_by_SplitBrainRole_when_set()
    {
        // arrange
        var byDefault = new NodeSettings { PublicHostname = "127.0.0.1", SeedNodes = ["akka.tcp://actorpubsub@127.0.0.1:4053"], AllowSqliteInCluster = true };
        var renamed = new NodeSettings { PublicHostname = "127.0.0.1", SeedNodes = ["akka.tcp://actorpubsub@127.0.0.1:4053"], AllowSqliteInCluster = true, Role = "brokers" };
        var explicitRole = new NodeSettings { PublicHostname = "127.0.0.1", SeedNodes = ["akka.tcp://actorpubsub@127.0.0.1:4053"], AllowSqliteInCluster = true, SplitBrainRole = "voters" };

        // act / assert: the resolver's HOCON and the library options the node passes on say the same
        foreach (var (settings, role) in new[] { (byDefault, BrokerRole), (renamed, "brokers"), (explicitRole, "voters") })
        {
            Assert.Null(settings.Validate());
            AssertEveryStrategyDecidesBy(role, ConfigurationFactory.ParseString(settings.SplitBrain.ToHocon()));
            AssertEveryStrategyDecidesBy(role, settings.ToPubSubOptions().ToConfig());
        }
    }

    [Fact]
    public void Lighthouse_should_decide_by_the_broker_role_not_its_own()
    {
        // arrange
        var settings = new LighthouseSettings();

        // act
        var config = ConfigurationFactory.ParseString(settings.SplitBrain.ToHocon());

        // assert: the lighthouse does not count (it has role "lighthouse"); it counts the brokers like everyone else
        Assert.Null(settings.Validate());
        Assert.NotEqual(LighthouseSettings.Role, LighthouseSettings.DefaultSplitBrainRole);
        AssertEveryStrategyDecidesBy(BrokerRole, config);
        AssertEveryStrategyDecidesBy("voters", ConfigurationFactory.ParseString(new LighthouseSettings { SplitBrainRole = "voters" }.SplitBrain.ToHocon()));
    }

    [Fact]
    public void Client_extension_should_decide_by_the_topic_nodes_role()
    {
        // arrange: a client member names the brokers' role (and has none itself)
        var client = new PubSubOptions { StandaloneCluster = false, HostTopics = false, Role = BrokerRole };
        var overridden = new PubSubOptions { StandaloneCluster = false, HostTopics = false, Role = BrokerRole, SplitBrainRole = "voters" };

        // act / assert
        client.Validate();
        AssertEveryStrategyDecidesBy(BrokerRole, client.ToConfig());
        AssertEveryStrategyDecidesBy("voters", overridden.ToConfig());
        // Without a role every member hosts topics: every member counts, as Akka's default.
        Assert.True(string.IsNullOrEmpty(new AkkaSbr(new PubSubOptions().ToConfig().WithFallback(AkkaClusterDefaults)).KeepMajorityRole));
    }

    [Fact]
    public void SplitBrainRole_should_refuse_a_blank_or_unquotable_role_naming_the_setting()
    {
        // act
        var node = new NodeSettings { SplitBrainRole = "a b" }.Validate();
        var lighthouse = new LighthouseSettings { SplitBrainRole = " " }.Validate();
        var options = Assert.Throws<ArgumentException>(() => new PubSubOptions { SplitBrainRole = "x\"y" }.Validate());

        // assert
        Assert.Contains("Node:SplitBrainRole (ACTORPUBSUB_Node__SplitBrainRole) = 'a b': must be a cluster role name", node, StringComparison.Ordinal);
        Assert.Contains("Lighthouse:SplitBrainRole (ACTORPUBSUB_Lighthouse__SplitBrainRole)", lighthouse, StringComparison.Ordinal);
        Assert.Contains("PubSubOptions.SplitBrainRole", options.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embedded_ActorSystem_should_run_with_the_role_in_its_resolver_settings()
    {
        // arrange
        using var database = new TempDatabase();

        // act: a real ActorSystem through Akka.Hosting, its configuration as Akka resolved it
        await using var node = await PubSubNode.StartAsync(new PubSubOptions { SqliteFile = database.File, Role = BrokerRole });

        // assert
        AssertEveryStrategyDecidesBy(BrokerRole, node.System.Settings.Config);
    }

    /// <summary>Each strategy that takes a role decides by <paramref name="role"/>, as Akka's own settings class reads it.</summary>
    private static void AssertEveryStrategyDecidesBy(string role, Config config)
    {
        var full = config.WithFallback(AkkaClusterDefaults);
        var sbr = new AkkaSbr(full);
        Assert.Equal(role, sbr.KeepMajorityRole);
        Assert.Equal(role, sbr.KeepOldestSettings.Role);
        // Akka reads these two strategies' settings only with a quorum size or a lease set; their role keys are the same kind.
        Assert.Equal(role, full.GetString("akka.cluster.split-brain-resolver.static-quorum.role"));
        Assert.Equal(role, full.GetString("akka.cluster.split-brain-resolver.lease-majority.role"));
    }
}
