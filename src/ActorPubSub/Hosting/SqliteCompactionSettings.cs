using Akka.Configuration;
using ActorPubSub.Settings;

namespace ActorPubSub.Hosting;

/// <summary>
/// <c>actorpubsub.sqlite</c>: how often the SQLite store gives space back (<c>compact-interval</c>, zero = off) and the
/// least free space worth giving back (<c>compact-min-free</c>).
/// </summary>
internal sealed record SqliteCompactionSettings(TimeSpan Interval, long MinFreeBytes)
{
    public const string Section = SettingsReader.Root + ".sqlite";

    public bool Enabled => Interval > TimeSpan.Zero;

    public static SqliteCompactionSettings Create(Config actorpubsubSection)
    {
        var sqlite = actorpubsubSection.GetConfig("sqlite") ?? throw new ConfigurationException($"{Section} is missing.");
        var interval = sqlite.GetTimeSpan("compact-interval", TimeSpan.FromSeconds(10));
        if (interval < TimeSpan.Zero)
            throw new ConfigurationException($"{Section}.compact-interval must be 0 (off) or positive, was {interval}.");
        var minFree = sqlite.GetByteSize("compact-min-free")
                      ?? throw new ConfigurationException($"{Section}.compact-min-free is missing or not a size (e.g. 4 MiB).");
        if (minFree < 0) throw new ConfigurationException($"{Section}.compact-min-free must not be negative, was {minFree}.");
        return new SqliteCompactionSettings(interval, minFree);
    }
}
