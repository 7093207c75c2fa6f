using ActorPubSub.Gateway;
using ActorPubSub.Hosting;
using Xunit;

namespace ActorPubSub.Tests.Gateway;

public sealed class GatewayContactsSpec
{
    [Fact, Trait("Category", "Unit")]
    public void Parse_should_add_the_receptionist_path_to_an_address_and_keep_a_full_path()
    {
        var paths = GatewayContacts.Parse(
            ["akka.tcp://actorpubsub@broker-0:4055", " akka.tcp://actorpubsub@broker-1:4055/system/receptionist "], "ContactPoints");

        Assert.Equal(
            new[] { "akka.tcp://actorpubsub@broker-0:4055/system/receptionist", "akka.tcp://actorpubsub@broker-1:4055/system/receptionist" },
            paths.Select(p => p.ToString()).Order());
    }

    [Theory, Trait("Category", "Unit")]
    [InlineData("broker-0:4055")]
    [InlineData("akka://actorpubsub")]
    [InlineData("")]
    public void Parse_should_reject_what_is_no_remote_address_and_say_what_is_allowed(string contact)
    {
        var e = Assert.Throws<ArgumentException>(() => GatewayContacts.Parse([contact], "PubSubClientOptions.ContactPoints"));

        Assert.Contains("PubSubClientOptions.ContactPoints", e.Message);
        Assert.Contains("akka.tcp://actorpubsub@broker-0:4055", e.Message);
    }

    [Fact, Trait("Category", "Unit")]
    public void Client_options_should_need_a_contact_point()
    {
        var e = Assert.Throws<ArgumentException>(() => new PubSubClientOptions().Validate());

        Assert.Contains("ContactPoints is empty", e.Message);
    }

    [Fact, Trait("Category", "Unit")]
    public void Client_options_should_reject_a_port_out_of_range()
    {
        var options = new PubSubClientOptions { ContactPoints = ["akka.tcp://actorpubsub@127.0.0.1:4055"], Port = 70000 };

        var e = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("between 0 (a free port) and 65535", e.Message);
    }

    [Fact, Trait("Category", "Unit")]
    public void PubSubOptions_should_refuse_AcceptClusterClients_on_a_node_without_topics()
    {
        var options = new PubSubOptions { HostTopics = false, StandaloneCluster = false, Role = "actorpubsub", AcceptClusterClients = true };

        var e = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("AcceptClusterClients", e.Message);
    }
}
