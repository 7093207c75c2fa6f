using ActorPubSub.Observability;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Observability;

/// <summary>The cardinality cap of the topic and subscription tags.</summary>
[Trait("Category", "Unit")]
public sealed class TagValuesSpec
{
    [Fact]
    public void Tag_values_should_keep_the_first_names_and_give_later_ones_the_other_value()
    {
        // arrange: a cap of its own (the process's is shared with every running test)
        var tags = new TagValues(limit: 2);

        // act
        var first = (tags.Topic("orders"), tags.Topic("payments"), tags.Topic("audit"), tags.Topic("orders"));
        var subscriptions = (tags.Subscription("orders", "billing"), tags.Subscription("orders", "shipping"),
            tags.Subscription("payments", "billing"), tags.Subscription("orders", "billing"));

        // assert
        Assert.Equal(("orders", "payments", InstrumentNames.OtherTagValue, "orders"), first);
        Assert.Equal(("billing", "shipping", InstrumentNames.OtherTagValue, "billing"), subscriptions);
    }

    [Fact]
    public void Raising_the_limit_should_admit_new_names_again()
    {
        var tags = new TagValues(limit: 0);
        Assert.Equal(InstrumentNames.OtherTagValue, tags.Topic("orders"));

        tags.Limit = 1;

        Assert.Equal("orders", tags.Topic("orders"));
        Assert.Equal(PubSubTelemetry.MaxTagValues, TagValues.Shared.Limit);
    }
}
