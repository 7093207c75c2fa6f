using Akka.Configuration;
using ActorPubSub.Settings;

namespace ActorPubSub.Fencing;

/// <summary><c>actorpubsub.fencing</c>: whether topics claim their database, and the member lease's lifetime.</summary>
/// <param name="Enabled">Topics claim the topic in the database at start, and each topic node keeps a member lease.</param>
/// <param name="LeaseTtl">How long a member lease lasts without renewal; renewed every third of it.</param>
internal sealed record FencingSettings(bool Enabled, TimeSpan LeaseTtl)
{
    private const string Section = SettingsReader.Root + ".fencing";

    /// <summary>How often the lease is renewed: a third of its lifetime, so two renewals may fail before it lapses.</summary>
    public TimeSpan RenewInterval => LeaseTtl / 3;

    /// <summary>From the <c>actorpubsub</c> section.</summary>
    public static FencingSettings Create(Config actorpubsub)
    {
        var fencing = actorpubsub.GetConfig("fencing") ?? Config.Empty;
        var ttl = fencing.GetTimeSpan("lease-ttl", TimeSpan.FromSeconds(6));
        if (ttl < TimeSpan.FromSeconds(1))
            throw new ConfigurationException($"{Section}.lease-ttl must be at least 1s (it is renewed every third of it), was {ttl}.");
        return new FencingSettings(fencing.GetBoolean("enabled", true), ttl);
    }
}
