using Akka.Actor;
using Akka.Configuration;
using ActorPubSub.Settings;

namespace ActorPubSub.Client;

/// <summary>Publisher and request settings, read from <c>actorpubsub.client</c>.</summary>
/// <param name="GenerateCorrelationId">Give publishes without a correlation id a new one (<c>generate-correlation-id</c>).</param>
/// <param name="TransientBuffer">Transient messages per topic the client holds, queued or unconfirmed (<c>transient-buffer</c>).</param>
/// <param name="TransientBufferTotal">
/// Transient messages the client holds over all its topics together (<c>transient-buffer-total</c>): with many topics
/// the per-topic buffers alone would not bound the client's memory.
/// </param>
/// <param name="PublishBatchesInFlight">
/// Publish batches per topic the client has sent and awaits the receipts of (<c>publish-batches-in-flight</c>); what is
/// published meanwhile waits and goes as one batch when a receipt frees a place.
/// </param>
/// <param name="MaxOutstandingPublishes">
/// Durable publishes the client holds over all topics, queued or awaiting their receipts (<c>max-outstanding-publishes</c>);
/// beyond it <c>PublishAsync</c> fails at once.
/// </param>
/// <param name="MaxOutstandingPublishBytes">Their bytes together (<c>max-outstanding-publish-bytes</c>), the same way.</param>
/// <param name="PublishStraightToTopic">
/// Publishes go to the topic actor straight once its receipt (a transient publish: its grant of credit) names it, instead of through the shard region
/// (<c>publish-straight-to-topic</c>).
/// </param>
/// <param name="MaxFrameSize">
/// Akka.Remote's <c>akka.remote.dot-netty.tcp.maximum-frame-size</c> of this system, in bytes; null without remoting.
/// A larger message (or batch) would be dropped between nodes without an error, so the client keeps below it.
/// </param>
public sealed record ClientSettings(TimeSpan ResendAfter, TimeSpan PublishTimeout, TimeSpan RequestTimeout, int MaxMessageSize,
    bool GenerateCorrelationId = false, long? MaxFrameSize = null, int TransientBuffer = 10_000, int TransientBufferTotal = 100_000,
    int PublishBatchesInFlight = 8, int MaxOutstandingPublishes = 100_000, long MaxOutstandingPublishBytes = 64L * 1024 * 1024,
    bool PublishStraightToTopic = true)
{
    /// <summary>
    /// Bytes a remote frame needs besides the messages' own fields: the envelope, actor paths, topic name, producer id and
    /// numbers, and each message's framing. Generous: it only makes batches a little smaller.
    /// </summary>
    public const int FrameOverhead = 16 * 1024;

    /// <summary>Framing a message adds in a batch (sequence, timestamp, field tags and lengths), counted with its fields.</summary>
    public const int PerMessageOverhead = 64;

    /// <summary>
    /// The most bytes in one batch of publishes: 64 KiB keeps the remote frame (batch, envelope and the ~30 bytes a
    /// message's framing adds beyond <see cref="PerMessageOverhead"/>) below .NET's large-object threshold (85,000
    /// bytes). Akka.Remote copies a frame four to five times on its way (serializer, envelope, socket buffer, and on
    /// the reader's side); as large objects every copy counts toward a full (gen 2) collection, which the profile of
    /// 2026-12-04 showed every ~0.2 s in the client and ~1 s in the node at 256 KiB batches.
    /// </summary>
    internal const int BatchBytesCap = 64 * 1024;

    public static ClientSettings Create(ActorSystem system) =>
        Create(SettingsReader.RootOf(system)) with { MaxFrameSize = FrameSizeOf(system.Settings.Config) };

    /// <summary>The remote frame limit in bytes, or null when the system has no dot-netty transport configured.</summary>
    public static long? FrameSizeOf(Config config) =>
        config.HasPath("akka.remote.dot-netty.tcp.maximum-frame-size")
            ? config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size")
            : null;

    /// <summary>The largest message (all fields, UTF-8) this client sends: max-message-size, and what fits a remote frame.</summary>
    public int MessageLimit => MaxFrameSize is { } frame
        ? (int)Math.Min(MaxMessageSize, Math.Max(0, frame - FrameOverhead - PerMessageOverhead))
        : MaxMessageSize;

    /// <summary>The bytes (all fields and framing) of a batch of several messages: well under the remote frame.</summary>
    public int BatchBytes => MaxFrameSize is { } frame
        ? (int)Math.Max(PerMessageOverhead, Math.Min(BatchBytesCap, frame - FrameOverhead))
        : BatchBytesCap;

    /// <param name="config">The <c>actorpubsub</c> section.</param>
    public static ClientSettings Create(Config config)
    {
        var c = config.GetConfig("client");
        var settings = new ClientSettings(
            c.GetTimeSpan("resend-after"),
            c.GetTimeSpan("publish-timeout"),
            c.GetTimeSpan("request-timeout"),
            checked((int)config.GetByteSize("topic.max-message-size")!.Value),
            c.GetBoolean("generate-correlation-id", false),
            TransientBuffer: c.GetInt("transient-buffer", 10_000),
            TransientBufferTotal: c.GetInt("transient-buffer-total", 100_000),
            PublishBatchesInFlight: c.GetInt("publish-batches-in-flight", 8),
            MaxOutstandingPublishes: c.GetInt("max-outstanding-publishes", 100_000),
            MaxOutstandingPublishBytes: c.GetByteSize("max-outstanding-publish-bytes") ?? 64L * 1024 * 1024,
            PublishStraightToTopic: c.GetBoolean("publish-straight-to-topic", true));
        if (settings.ResendAfter <= TimeSpan.Zero || settings.PublishTimeout <= TimeSpan.Zero || settings.RequestTimeout <= TimeSpan.Zero)
            throw new ConfigurationException("actorpubsub.client timeouts must be positive.");
        if (settings.TransientBuffer < 1)
            throw new ConfigurationException($"actorpubsub.client.transient-buffer is {settings.TransientBuffer}; it must be at least 1.");
        if (settings.TransientBufferTotal < 1)
            throw new ConfigurationException(
                $"actorpubsub.client.transient-buffer-total is {settings.TransientBufferTotal}; it must be at least 1.");
        if (settings.PublishBatchesInFlight < 1)
            throw new ConfigurationException(
                $"actorpubsub.client.publish-batches-in-flight is {settings.PublishBatchesInFlight}; it must be at least 1.");
        if (settings.MaxOutstandingPublishes < 1)
            throw new ConfigurationException(
                $"actorpubsub.client.max-outstanding-publishes is {settings.MaxOutstandingPublishes}; it must be at least 1.");
        if (settings.MaxOutstandingPublishBytes < 1)
            throw new ConfigurationException(
                $"actorpubsub.client.max-outstanding-publish-bytes is {settings.MaxOutstandingPublishBytes}; it must be at least 1 byte.");
        return settings;
    }
}
