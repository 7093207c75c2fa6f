using Akka.Actor;
using Akka.Configuration;
using ActorPubSub.Settings;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Consumers;

/// <summary>Settings of a consumer, read from <c>actorpubsub.consumer</c> and overridable per subscribe call.</summary>
public sealed record ConsumerSettings(
    int MaxInFlight,
    TimeSpan RenewInterval,
    TimeSpan HandlerTimeout)
{
    public static ConsumerSettings Create(ActorSystem system) => Create(SettingsReader.RootOf(system));

    /// <param name="config">The <c>actorpubsub</c> section.</param>
    public static ConsumerSettings Create(Config config)
    {
        var c = config.GetConfig("consumer");
        return new ConsumerSettings(
            c.GetInt("max-in-flight"),
            c.GetTimeSpan("renew-interval"),
            c.GetTimeSpan("handler-timeout")).Validate();
    }

    public ConsumerSettings Validate()
    {
        if (SubscriptionLimits.CheckMaxInFlight("MaxInFlight", MaxInFlight) is { } windowError)
            throw new ArgumentException(windowError);
        if (HandlerTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"HandlerTimeout is {HandlerTimeout}; it must be positive.");
        if (RenewInterval <= TimeSpan.Zero)
            throw new ArgumentException($"actorpubsub.consumer.renew-interval is {RenewInterval}; it must be positive.");
        return this;
    }
}
