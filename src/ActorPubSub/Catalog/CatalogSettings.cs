using Akka.Actor;
using Akka.Configuration;

namespace ActorPubSub.Catalog;

/// <summary>The catalogue's settings (<c>actorpubsub.catalog</c>) and the persistence plugins it shares with the topics.</summary>
/// <param name="SnapshotEvery">A snapshot after this many changes (recovery reads at most that many events).</param>
/// <param name="WatchInterval">How often a node's cache renews its watch (and learns a catalogue that moved).</param>
/// <param name="RequestTimeout">How long a client waits for the catalogue's answer.</param>
/// <param name="WarnLogInterval">At most one warning line per topic in this interval for payloads failing in warn mode.</param>
public sealed record CatalogSettings(
    int SnapshotEvery,
    TimeSpan WatchInterval,
    TimeSpan RequestTimeout,
    TimeSpan WarnLogInterval,
    string JournalPluginId,
    string SnapshotPluginId)
{
    /// <summary>The topic checks again the publishes a client of this version already checked (false: only the others).</summary>
    public bool TopicRecheck { get; init; }

    /// <summary>Reads <c>actorpubsub.catalog</c> (defaults when the section is missing).</summary>
    public static CatalogSettings Create(ActorSystem system)
    {
        var root = system.Settings.Config.GetConfig("actorpubsub") ?? Config.Empty;
        var c = root.GetConfig("catalog") ?? Config.Empty;
        var settings = new CatalogSettings(
            c.GetInt("snapshot-every", 100),
            c.GetTimeSpan("watch-interval", TimeSpan.FromSeconds(5)),
            c.GetTimeSpan("request-timeout", TimeSpan.FromSeconds(10)),
            c.GetTimeSpan("warn-log-interval", TimeSpan.FromSeconds(10)),
            root.GetString("journal-plugin-id", "akka.persistence.journal.actorpubsub"),
            root.GetString("snapshot-plugin-id", "akka.persistence.snapshot-store.actorpubsub"))
        {
            TopicRecheck = c.GetBoolean("topic-recheck", false),
        };
        if (settings.SnapshotEvery < 1)
            throw new ArgumentException($"actorpubsub.catalog.snapshot-every must be at least 1; it is {settings.SnapshotEvery}.");
        foreach (var (key, value) in new[] { ("watch-interval", settings.WatchInterval), ("request-timeout", settings.RequestTimeout) })
            if (value <= TimeSpan.Zero) throw new ArgumentException($"actorpubsub.catalog.{key} must be positive; it is {value}.");
        return settings;
    }
}
