using ActorPubSub.Hosting;
using ActorPubSub.Node;
using ActorPubSub.Server.Admin;
using ActorPubSub.Node.Admin.PubSub;
using ActorPubSub.Server.Web;
using ActorPubSub.Topics;
using Microsoft.Extensions.Configuration;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Cli;

/// <summary>
/// Who may use the admin endpoint: a non-loopback bind always requires the token (and without one admin is disabled);
/// loopback is open unless RequireAdminToken asks for the token. Also the settings' checks of the token and the naming
/// of tail subscriptions.
/// </summary>
[Trait("Category", "Unit")]
public sealed class AdminAccessSpec
{
    private const string Token = "0123456789abcdef-token";

    [Theory]
    [InlineData("0.0.0.0:9110")]
    [InlineData("*:9110")]
    [InlineData("[::]:9110")]
    [InlineData("10.1.2.3:9110")]
    public void A_non_loopback_bind_should_require_the_token_and_disable_admin_without_one(string address)
    {
        // arrange
        Assert.True(HttpAddress.TryParse(address, out var http, out _));

        // act
        var withToken = AdminAccess.Resolve(http, Token, requireToken: false, "Node:AdminToken");
        var without = AdminAccess.Resolve(http, null, requireToken: false, "Node:AdminToken");

        // assert
        Assert.Equal(AdminMode.TokenRequired, withToken.Mode);
        Assert.False(withToken.Authorizes(null));
        Assert.False(withToken.Authorizes("Bearer wrong-token-wrong-token"));
        Assert.False(withToken.Authorizes(Token));   // without the scheme
        Assert.True(withToken.Authorizes($"Bearer {Token}"));
        Assert.Equal(AdminMode.Disabled, without.Mode);
        Assert.False(without.Authorizes($"Bearer {Token}"));
        Assert.Contains("Node:AdminToken", without.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:9110")]
    [InlineData("localhost:9110")]
    [InlineData("[::1]:9110")]
    public void A_loopback_bind_should_be_open_unless_the_token_is_required(string address)
    {
        // arrange
        Assert.True(HttpAddress.TryParse(address, out var http, out _));

        // act
        var open = AdminAccess.Resolve(http, Token, requireToken: false, "Node:AdminToken");
        var required = AdminAccess.Resolve(http, Token, requireToken: true, "Node:AdminToken");

        // assert
        Assert.Equal(AdminMode.Open, open.Mode);
        Assert.True(open.Authorizes(null));
        Assert.Equal(AdminMode.TokenRequired, required.Mode);
        Assert.False(required.Authorizes(null));
        Assert.True(required.Authorizes($"bearer {Token}"));
    }

    [Theory]
    [InlineData("AdminToken", "short", "must be at least 16 characters")]
    [InlineData("AdminToken", "has a space in it, no", "must not contain spaces")]
    [InlineData("RequireAdminToken", "true", "needs Node:AdminToken (ACTORPUBSUB_Node__AdminToken)")]
    public void Node_settings_should_refuse_a_weak_token_or_a_required_one_that_is_missing(string key, string value, string expected)
    {
        // arrange
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"Node:{key}"] = value }).Build();

        // act
        var ok = NodeConfiguration.TryLoad(configuration, out _, out var error);

        // assert
        Assert.False(ok);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        if (key == "AdminToken") Assert.DoesNotContain(value, error!, StringComparison.Ordinal);   // the token is never echoed
    }

    [Theory]
    [InlineData(null, RemoteTransport.Sockets)]
    [InlineData("DotNetty", RemoteTransport.DotNetty)]
    [InlineData("sockets", RemoteTransport.Sockets)]
    public void Node_settings_should_read_the_remote_transport(string? value, RemoteTransport expected)
    {
        // arrange
        var values = new Dictionary<string, string?>();
        if (value is not null) values["Node:RemoteTransport"] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        // act
        var ok = NodeConfiguration.TryLoad(configuration, out var settings, out var error);

        // assert
        Assert.True(ok, error);
        Assert.Equal(expected, settings!.RemoteTransport);
        Assert.Equal(expected, settings.ToPubSubOptions().RemoteTransport);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("false", false)]
    [InlineData("true", true)]
    public void Node_settings_should_read_direct_dispatch_into_the_hocon(string? value, bool expected)
    {
        // arrange
        var values = new Dictionary<string, string?>();
        if (value is not null) values["Node:DirectDispatch"] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        // act
        var ok = NodeConfiguration.TryLoad(configuration, out var settings, out var error);

        // assert
        Assert.True(ok, error);
        Assert.Equal(expected, settings!.DirectDispatch);
        var config = Akka.Configuration.ConfigurationFactory.ParseString(settings.ToPubSubOptions().ToHocon());
        Assert.Equal(expected, config.GetBoolean("actorpubsub.remote.direct-dispatch", !expected));
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData("false", null, false)]
    [InlineData("true", null, true)]
    [InlineData(null, "normal", false)]   // no fsync per commit: nothing to deliver before
    public void Node_settings_should_read_deliver_before_sync_into_the_journal_writer(string? value, string? synchronous, bool syncSeparately)
    {
        // arrange
        var values = new Dictionary<string, string?>();
        if (value is not null) values["Node:DeliverBeforeSync"] = value;
        if (synchronous is not null) values["Node:SqliteSynchronous"] = synchronous;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        // act
        var ok = NodeConfiguration.TryLoad(configuration, out var settings, out var error);

        // assert: the topics' journal writer fsyncs the WAL itself (committing as NORMAL) exactly when the node delivers
        // before the fsync
        Assert.True(ok, error);
        var journal = Akka.Configuration.ConfigurationFactory.ParseString(ActorPubSub.Hosting.PubSubStorage.JournalTuning(settings!.ToPubSubOptions(), "p"))
            .GetConfig("akka.persistence.journal.p");
        Assert.Equal(syncSeparately, journal.GetBoolean(ActorPubSub.Journal.TopicWriteJournal.SqliteSyncSeparatelyKey));
        Assert.Contains(syncSeparately || synchronous == "normal" ? "synchronous = NORMAL" : "synchronous = FULL",
            journal.GetString(ActorPubSub.Journal.TopicWriteJournal.SqlitePragmasKey), StringComparison.Ordinal);
        Assert.Contains(synchronous == "normal" ? "(synchronous normal)" : $"delivery {(syncSeparately ? "before" : "after")} the fsync)",
            settings.StorageDescription, StringComparison.Ordinal);
    }

    [Fact]
    public void Node_settings_should_refuse_an_unknown_remote_transport_naming_the_allowed_ones()
    {
        // arrange
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Node:RemoteTransport"] = "carrier-pigeon" }).Build();

        // act
        var ok = NodeConfiguration.TryLoad(configuration, out _, out var error);

        // assert
        Assert.False(ok);
        Assert.Contains("RemoteTransport", error, StringComparison.Ordinal);
        Assert.Contains("carrier-pigeon", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Node_settings_should_declare_the_admin_token_variable() =>
        Assert.True(NodeSettings.ReadsEnvironmentVariable("ACTORPUBSUB_Node__AdminToken"));

    [Fact]
    public void Tail_subscriptions_should_be_recognizable_and_stale_only_when_old_and_without_consumer()
    {
        // arrange
        var now = new DateTime(2026, 11, 5, 12, 0, 0, DateTimeKind.Utc);
        var name = TailSubscription.NewName(now.AddMinutes(-11));
        SubscriptionInfo Info(string n, int consumers) => new(n, 0, 0, 0, consumers, TimeSpan.FromMinutes(5), 10, false, null, 0, TimeSpan.Zero, 0);

        // assert
        Assert.StartsWith("pbm-tail-20261105114900-", name, StringComparison.Ordinal);
        Assert.Null(TopicNames.ValidateSubscription(name));
        Assert.Equal(now.AddMinutes(-11), TailSubscription.CreatedAt(name));
        Assert.True(TailSubscription.IsStale(Info(name, 0), now));
        Assert.False(TailSubscription.IsStale(Info(name, 1), now));
        Assert.False(TailSubscription.IsStale(Info(TailSubscription.NewName(now.AddMinutes(-1)), 0), now));
        Assert.False(TailSubscription.IsStale(Info("billing", 0), now));
        Assert.Null(TailSubscription.CreatedAt("pbm-tail-notatime-abc"));
    }
}
