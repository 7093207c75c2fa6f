using ActorPubSub.Gateway;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Hosting;

/// <summary>
/// Options of <c>WithActorPubSubClient</c>: a client that reaches the topics through Akka.Cluster.Tools' ClusterClient
/// instead of joining the cluster. Only <see cref="ContactPoints"/> is required; unset properties keep the defaults of
/// reference.conf.
/// </summary>
public sealed class PubSubClientOptions
{
    /// <summary>
    /// Broker nodes to make first contact with: each an Akka.Remote address such as
    /// <c>akka.tcp://actorpubsub@broker-0:4055</c> (ActorSystem name, host, remoting port) or the full path of its
    /// receptionist (<c>.../system/receptionist</c>). After the first contact the client learns the cluster's receptionists
    /// by itself; give several nodes so that one being down does not stop a (re)connect. <b>Required.</b>
    /// </summary>
    public IList<string> ContactPoints { get; set; } = [];

    /// <summary>
    /// Address Akka.Remote binds: the brokers connect back to it (deliveries, replies), so it must be reachable from every
    /// broker node. <b>Default:</b> <c>127.0.0.1</c> (brokers on the same machine).
    /// </summary>
    public string? Hostname { get; set; }

    /// <summary>The address brokers are told to connect back to, when it differs from <see cref="Hostname"/> (NAT, 0.0.0.0). <b>Default:</b> <see cref="Hostname"/>.</summary>
    public string? PublicHostname { get; set; }

    /// <summary>Akka.Remote port of the client. <b>Default:</b> 0 (a free port).</summary>
    public int? Port { get; set; }

    /// <summary>
    /// How long the connection to a receptionist may go without a heartbeat answer before the client looks for another
    /// (<c>akka.cluster.client.acceptable-heartbeat-pause</c>); after a cluster restart this bounds how soon publishing works
    /// again. <b>Default:</b> 13 s.
    /// </summary>
    public TimeSpan? AcceptableHeartbeatPause { get; set; }

    /// <summary>Largest message accepted; must equal the brokers' setting. <b>Default:</b> 1 MiB.</summary>
    public int? MaxMessageSize { get; set; }

    /// <summary>A publish without receipt is resent after this long. <b>Default:</b> 2 s.</summary>
    public TimeSpan? PublishResendAfter { get; set; }

    /// <summary>
    /// Publish batches per topic sent and awaiting their receipts; what is published meanwhile goes as one batch when a
    /// receipt comes (<c>actorpubsub.client.publish-batches-in-flight</c>). <b>Default:</b> 8.
    /// </summary>
    public int? PublishBatchesInFlight { get; set; }

    /// <summary>
    /// Whether publishes go to the topic actor straight once its receipt (a transient publish: its grant of credit) names it, instead of through the shard region
    /// (<c>actorpubsub.client.publish-straight-to-topic</c>). A client that is no cluster member gets its receipts
    /// through the receptionist, which does not name the topic actor, so its publishes keep the receptionist's way.
    /// <b>Default:</b> true.
    /// </summary>
    public bool? PublishStraightToTopic { get; set; }

    /// <summary>
    /// Durable publishes held over all topics, queued or awaiting their receipts; beyond it <c>PublishAsync</c> fails at once
    /// (<c>actorpubsub.client.max-outstanding-publishes</c>). <b>Default:</b> 100,000.
    /// </summary>
    public int? MaxOutstandingPublishes { get; set; }

    /// <summary>The bytes of those publishes together (<c>actorpubsub.client.max-outstanding-publish-bytes</c>). <b>Default:</b> 64 MiB.</summary>
    public long? MaxOutstandingPublishBytes { get; set; }

    /// <summary>Deliveries a consumer runs at once. <b>Default:</b> 256.</summary>
    public int? ConsumerMaxInFlight { get; set; }

    /// <summary>How often consumers renew their registration (and find a restarted cluster). <b>Default:</b> 2 s.</summary>
    public TimeSpan? ConsumerRenewInterval { get; set; }

    /// <summary>Extra HOCON applied last (highest priority), for settings without a property here.</summary>
    public string? ExtraHocon { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the option and what is allowed.</summary>
    public void Validate()
    {
        GatewayContacts.Parse(ContactPoints, "PubSubClientOptions.ContactPoints");
        if (Hostname is { } host && string.IsNullOrWhiteSpace(host))
            throw new ArgumentException("PubSubClientOptions.Hostname must not be blank; leave it null for 127.0.0.1.");
        if (PublicHostname is { } pub && string.IsNullOrWhiteSpace(pub))
            throw new ArgumentException("PubSubClientOptions.PublicHostname must not be blank; leave it null for Hostname.");
        if (Port is < 0 or > 65535)
            throw new ArgumentException($"PubSubClientOptions.Port is {Port}; it must be between 0 (a free port) and 65535.");
        if (AcceptableHeartbeatPause is { } pause && (pause < TimeSpan.FromSeconds(1) || pause > TimeSpan.FromMinutes(10)))
            throw new ArgumentException($"PubSubClientOptions.AcceptableHeartbeatPause is {pause}; it must be between 1 s and 10 minutes.");
        if (ConsumerMaxInFlight is { } window && SubscriptionLimits.CheckMaxInFlight("PubSubClientOptions.ConsumerMaxInFlight", window) is { } windowError)
            throw new ArgumentException(windowError);
        if (MaxMessageSize is <= 0 or > 64 * 1024 * 1024)
            throw new ArgumentException($"PubSubClientOptions.MaxMessageSize is {MaxMessageSize}; it must be between 1 byte and 64 MiB (the brokers' setting).");
        if (PublishResendAfter is { } resend && resend <= TimeSpan.Zero)
            throw new ArgumentException($"PubSubClientOptions.PublishResendAfter must be positive, was {resend}.");
        if (PublishBatchesInFlight is < 1)
            throw new ArgumentException($"PubSubClientOptions.PublishBatchesInFlight is {PublishBatchesInFlight}; it must be at least 1.");
        if (MaxOutstandingPublishes is < 1)
            throw new ArgumentException($"PubSubClientOptions.MaxOutstandingPublishes is {MaxOutstandingPublishes}; it must be at least 1.");
        if (MaxOutstandingPublishBytes is < 1)
            throw new ArgumentException($"PubSubClientOptions.MaxOutstandingPublishBytes is {MaxOutstandingPublishBytes}; it must be at least 1 byte.");
        if (ConsumerRenewInterval is { } renew && renew <= TimeSpan.Zero)
            throw new ArgumentException($"PubSubClientOptions.ConsumerRenewInterval must be positive, was {renew}.");
    }

    /// <summary>
    /// Allow Akka.Remote on plain TCP although <see cref="Hostname"/> is off loopback (<c>actorpubsub.allow-plaintext-remoting</c>):
    /// without it the host's start throws, naming the fix (mutual TLS, or bind 127.0.0.1). <b>Default:</b> false.
    /// </summary>
    public bool? AllowPlaintextRemoting { get; set; }

    /// <summary>
    /// The TCP transport Akka.Remote runs on: ActorPubSub's own or Akka's DotNetty one (see
    /// <see cref="PubSubOptions.RemoteTransport"/>). <b>Default:</b> <see cref="Hosting.RemoteTransport.Sockets"/>.
    /// </summary>
    public RemoteTransport? RemoteTransport { get; set; }

    /// <summary>
    /// Whether received topic-protocol messages skip Akka.Remote's endpoint actors (see <see cref="PubSubOptions.DirectDispatch"/>).
    /// <b>Default:</b> true.
    /// </summary>
    public bool? DirectDispatch { get; set; }

    /// <summary>
    /// Whether topic-protocol messages to remote actors skip Akka.Remote's endpoint actors (see <see cref="PubSubOptions.DirectSend"/>).
    /// <b>Default:</b> true.
    /// </summary>
    public bool? DirectSend { get; set; }

    /// <summary>The ActorPubSub settings these options give (a client: no topics, no cluster of its own).</summary>
    internal PubSubOptions ToPubSubOptions() => new()
    {
        HostTopics = false,
        StandaloneCluster = false,
        MaxMessageSize = MaxMessageSize,
        PublishResendAfter = PublishResendAfter,
        PublishBatchesInFlight = PublishBatchesInFlight,
        PublishStraightToTopic = PublishStraightToTopic,
        MaxOutstandingPublishes = MaxOutstandingPublishes,
        MaxOutstandingPublishBytes = MaxOutstandingPublishBytes,
        ConsumerMaxInFlight = ConsumerMaxInFlight,
        ConsumerRenewInterval = ConsumerRenewInterval,
        ExtraHocon = ExtraHocon,
        AllowPlaintextRemoting = AllowPlaintextRemoting,
        RemoteTransport = RemoteTransport,
        DirectDispatch = DirectDispatch,
        DirectSend = DirectSend,
    };
}
