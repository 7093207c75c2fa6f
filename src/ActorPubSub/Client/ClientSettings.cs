using Akka.Actor;
using Akka.Configuration;
using ActorPubSub.Settings;

namespace ActorPubSub.Client;

/// <summary>Publisher and request settings, read from <c>actorpubsub.client</c>.</summary>
/// <param name="GenerateCorrelationId">Give publishes without a correlation id a new one (<c>generate-correlation-id</c>).</param>
public sealed record ClientSettings(TimeSpan ResendAfter, TimeSpan PublishTimeout, TimeSpan RequestTimeout, int MaxMessageSize,
    bool GenerateCorrelationId = false)
{
    public static ClientSettings Create(ActorSystem system) => Create(SettingsReader.RootOf(system));

    /// <param name="config">The <c>actorpubsub</c> section.</param>
    public static ClientSettings Create(Config config)
    {
        var c = config.GetConfig("client");
        var settings = new ClientSettings(
            c.GetTimeSpan("resend-after"),
            c.GetTimeSpan("publish-timeout"),
            c.GetTimeSpan("request-timeout"),
            checked((int)config.GetByteSize("topic.max-message-size")!.Value),
            c.GetBoolean("generate-correlation-id", false));
        if (settings.ResendAfter <= TimeSpan.Zero || settings.PublishTimeout <= TimeSpan.Zero || settings.RequestTimeout <= TimeSpan.Zero)
            throw new ConfigurationException("actorpubsub.client timeouts must be positive.");
        return settings;
    }
}
