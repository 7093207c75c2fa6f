using Akka.Configuration;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Hosting;

/// <summary>The embedded reference.conf: every ActorPubSub default.</summary>
public static class PubSubConfig
{
    private static readonly Lazy<Config> Reference = new(() =>
    {
        using var stream = typeof(PubSubConfig).Assembly.GetManifestResourceStream("ActorPubSub.reference.conf")
                           ?? throw new InvalidOperationException("ActorPubSub.reference.conf is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    });

    public static Config Default => Reference.Value;
}
