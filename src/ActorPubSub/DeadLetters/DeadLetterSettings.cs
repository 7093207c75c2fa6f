using Akka.Actor;
using Akka.Configuration;
using ActorPubSub.Settings;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.DeadLetters;

/// <summary>Settings of every dead-letter store on a node, read from <c>actorpubsub.dead-letters</c>.</summary>
/// <param name="SnapshotEvery">Journal events between snapshots (<c>snapshot-every</c>).</param>
/// <param name="IdleTimeout">A store with no message for this long passivates (<c>idle-timeout</c>).</param>
/// <param name="WarnAbove">A warning is logged once when a store holds more letters than this (<c>warn-above</c>).</param>
/// <param name="RedriveBatch">Most messages in one <c>RedriveMessages</c> to the topic (<c>redrive-batch</c>).</param>
/// <param name="RedriveBatchBytes">Most message bytes in one <c>RedriveMessages</c>; one message always goes (<c>redrive-batch-bytes</c>).</param>
/// <param name="RedriveTimeout">How long a redrive waits for the topic to confirm a chunk (<c>redrive-timeout</c>).</param>
/// <param name="PageMaxBytes">Most message bytes in one <see cref="DeadLetterPage"/>; one letter always goes (<c>page-max-bytes</c>).</param>
public sealed record DeadLetterSettings(
    int SnapshotEvery,
    TimeSpan IdleTimeout,
    int WarnAbove,
    int RedriveBatch,
    int RedriveBatchBytes,
    TimeSpan RedriveTimeout,
    int PageMaxBytes,
    string JournalPluginId,
    string SnapshotPluginId)
{
    private const string Section = SettingsReader.Root + ".dead-letters";

    public static DeadLetterSettings Create(ActorSystem system) => Create(SettingsReader.RootOf(system));

    /// <param name="config">The <c>actorpubsub</c> section.</param>
    public static DeadLetterSettings Create(Config config)
    {
        var d = config.GetConfig("dead-letters");
        if (d is null || d.IsEmpty)
            throw new ConfigurationException("actorpubsub.dead-letters is missing; ActorPubSub's reference.conf defines it (add PubSubConfig.Default as a fallback).");
        return new DeadLetterSettings(
            SnapshotEvery: d.GetInt("snapshot-every"),
            IdleTimeout: d.GetTimeSpan("idle-timeout"),
            WarnAbove: d.GetInt("warn-above"),
            RedriveBatch: d.GetInt("redrive-batch"),
            RedriveBatchBytes: Bytes(d, "redrive-batch-bytes"),
            RedriveTimeout: d.GetTimeSpan("redrive-timeout"),
            PageMaxBytes: Bytes(d, "page-max-bytes"),
            JournalPluginId: config.GetString("journal-plugin-id"),
            SnapshotPluginId: config.GetString("snapshot-plugin-id")).Validate();
    }

    /// <summary>Rejects settings that cannot work, naming the key and what is allowed.</summary>
    public DeadLetterSettings Validate()
    {
        static void Positive(string key, double value) => SettingsReader.Positive(Section, key, value);
        Positive("snapshot-every", SnapshotEvery);
        Positive("idle-timeout", IdleTimeout.TotalMilliseconds);
        Positive("warn-above", WarnAbove);
        Positive("redrive-batch", RedriveBatch);
        Positive("redrive-batch-bytes", RedriveBatchBytes);
        Positive("redrive-timeout", RedriveTimeout.TotalMilliseconds);
        Positive("page-max-bytes", PageMaxBytes);
        if (string.IsNullOrWhiteSpace(JournalPluginId))
            throw new ConfigurationException("actorpubsub.journal-plugin-id must name a journal plugin.");
        if (string.IsNullOrWhiteSpace(SnapshotPluginId))
            throw new ConfigurationException("actorpubsub.snapshot-plugin-id must name a snapshot-store plugin.");
        return this;
    }

    private static int Bytes(Config config, string key) => SettingsReader.Bytes(config, Section, key);
}
