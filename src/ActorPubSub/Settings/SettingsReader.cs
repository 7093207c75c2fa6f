using Akka.Actor;
using Akka.Configuration;

namespace ActorPubSub.Settings;

/// <summary>
/// Reading and checking the <c>actorpubsub</c> configuration, shared by the settings records of every layer
/// (topics, consumers, dead-letter stores, the client), so they find their section and name a bad key the same way.
/// </summary>
internal static class SettingsReader
{
    /// <summary>The root of every ActorPubSub setting.</summary>
    public const string Root = "actorpubsub";

    /// <summary>The <c>actorpubsub</c> section of the system's configuration.</summary>
    public static Config RootOf(ActorSystem system) => system.Settings.Config.GetConfig(Root);

    /// <summary>Rejects a value that is not positive, naming <c>section.key</c> (e.g. <c>actorpubsub.topic</c>).</summary>
    public static void Positive(string section, string key, double value)
    {
        if (value <= 0) throw new ConfigurationException($"{section}.{key} must be positive, was {value}.");
    }

    /// <summary>A size in bytes (<c>1 MiB</c>) that fits an <see cref="int"/>, naming <c>section.key</c> when it does not.</summary>
    public static int Bytes(Config config, string section, string key)
    {
        var value = config.GetByteSize(key)
                    ?? throw new ConfigurationException($"{section}.{key} is missing or not a size (e.g. 1 MiB).");
        if (value > int.MaxValue)
            throw new ConfigurationException($"{section}.{key} is {value} bytes; at most {int.MaxValue} are allowed.");
        return (int)value;
    }
}
