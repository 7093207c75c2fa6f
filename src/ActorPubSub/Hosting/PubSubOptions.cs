using System.Globalization;
using System.Text;
using Akka.Configuration;
using ActorPubSub.Memory;
using ActorPubSub.Settings;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Hosting;

/// <summary>
/// Options of <c>WithActorPubSub</c>. Every property is optional; unset ones keep the defaults of
/// reference.conf (<c>actorpubsub { }</c>), which also documents each setting.
/// </summary>
public sealed class PubSubOptions
{
    /// <summary>
    /// SQLite database file for the topics' journal and snapshots (created with its folder).
    /// <b>Default:</b> <c>./data/actorpubsub.db</c>. Ignored when <see cref="PostgreSqlConnectionString"/> is set.
    /// SQLite is for one node: a cluster of several nodes needs PostgreSQL.
    /// </summary>
    public string? SqliteFile { get; set; }

    /// <summary>
    /// How SQLite makes each group commit durable. <b>Default:</b> <see cref="Hosting.SqliteSynchronous.Full"/>
    /// (fsync per commit: a confirmed publish survives power loss). <see cref="Hosting.SqliteSynchronous.Normal"/>
    /// survives a process crash only.
    /// </summary>
    public SqliteSynchronous? SqliteSynchronous { get; set; }

    /// <summary>
    /// With SQLite and <see cref="Hosting.SqliteSynchronous.Full"/>: whether a topic delivers a message to its subscribers
    /// once its commit is written, while the fsync runs, rather than after the fsync. Either way the publisher's receipt
    /// waits for the fsync (a confirmed publish survives power loss). A written commit outlives a crash or kill of the
    /// process; only a crash of the machine between the write and the fsync can take a message a subscriber already
    /// had, whose publisher was never confirmed. The next commit also runs while the last one's fsync does.
    /// <b>Default:</b> true. Ignored with PostgreSQL (a commit there is durable when it returns) and with
    /// <see cref="Hosting.SqliteSynchronous.Normal"/> (no fsync per commit).
    /// </summary>
    public bool? DeliverBeforeSync { get; set; }

    /// <summary>PostgreSQL connection string; when set, topics persist in PostgreSQL. <b>Default:</b> none (SQLite).</summary>
    public string? PostgreSqlConnectionString { get; set; }

    /// <summary>
    /// SQLite (no <see cref="PostgreSqlConnectionString"/>) on a topic node that joins a cluster
    /// (<see cref="StandaloneCluster"/> false) is refused: every topic node would write a file of its own, and a topic
    /// that moves to another node would find an empty one. True states that this cannot happen: this is the cluster's only
    /// topic node (the others are clients), or every topic node uses this same file on one machine. <b>Default:</b> false.
    /// </summary>
    public bool? AllowSqliteInCluster { get; set; }

    /// <summary>
    /// True: ActorPubSub sets up remoting on 127.0.0.1 (free port) and forms a one-node cluster by itself
    /// (embedded use). False: the host configures Akka.Remote and Akka.Cluster (seed nodes) itself.
    /// <b>Default:</b> true.
    /// </summary>
    public bool? StandaloneCluster { get; set; }

    /// <summary>Cluster role of the nodes that host topics. <b>Default:</b> none (every node hosts topics).</summary>
    public string? Role { get; set; }

    /// <summary>
    /// False: this node hosts no topics and reaches them through a shard region proxy (a client node).
    /// A client node needs <see cref="Role"/>: the role of the topic nodes, which the client itself must not
    /// have (sharding writes its coordinator state to a majority of the nodes of the role, and a client has
    /// no part in that). Its ActorSystem must have the topic nodes' name (<c>actorpubsub</c> for the node host): Akka.Cluster
    /// joins only systems of one name (a client outside the cluster, <c>WithActorPubSubClient</c>, may have any).
    /// <b>Default:</b> true.
    /// </summary>
    public bool? HostTopics { get; set; }

    /// <summary>
    /// The cluster role whose members the Split Brain Resolver counts (rendered as
    /// <c>akka.cluster.split-brain-resolver.&lt;strategy&gt;.role</c> for every strategy that takes one): the topic
    /// nodes' role, so that client members on one side of a partition cannot outvote topic nodes on the other. Every
    /// member of a cluster must use the same (the broker node and lighthouse default to <c>actorpubsub</c>).
    /// <b>Default:</b> <see cref="Role"/>; none (every member counts) when that is unset.
    /// </summary>
    public string? SplitBrainRole { get; set; }

    /// <summary>
    /// Allow Akka.Remote on plain TCP although it binds an address off loopback (<c>actorpubsub.allow-plaintext-remoting</c>).
    /// Without it an ActorSystem whose remoting binds such an address without mutual TLS does not start
    /// (<see cref="InvalidOperationException"/> naming the fix): plain remoting admits any process that reaches the port.
    /// <b>Default:</b> false.
    /// </summary>
    public bool? AllowPlaintextRemoting { get; set; }

    /// <summary>
    /// The TCP transport Akka.Remote runs on (<c>akka.remote.dot-netty.tcp.transport-class</c>): ActorPubSub's own
    /// (<see cref="Hosting.RemoteTransport.Sockets"/>) or Akka's DotNetty one. Either talks to the other; with TLS on,
    /// Akka's runs. <b>Default:</b> <see cref="Hosting.RemoteTransport.Sockets"/>.
    /// </summary>
    public RemoteTransport? RemoteTransport { get; set; }

    /// <summary>
    /// With ActorPubSub's transport, whether received topic-protocol messages (publishes, receipts, deliveries, acks) are
    /// told to their recipient on the connection's read loop, past Akka.Remote's protocol-state actor and endpoint reader
    /// (<c>actorpubsub.remote.direct-dispatch</c>). Akka's system messages and all other messages take Akka's way either
    /// way. <b>Default:</b> true.
    /// </summary>
    public bool? DirectDispatch { get; set; }

    /// <summary>
    /// With ActorPubSub's transport, whether topic-protocol messages (publishes, receipts, deliveries, acks) to a remote
    /// actor are written straight into the connection Akka.Remote uses for its address, past Akka's endpoint manager,
    /// reliable-delivery supervisor and endpoint writer, keeping their order (<c>actorpubsub.remote.direct-send</c>).
    /// Akka's system messages and all other messages take Akka's way either way. <b>Default:</b> true.
    /// </summary>
    public bool? DirectSend { get; set; }

    /// <summary>
    /// True on a node that hosts topics: it also serves clients outside the cluster (<c>WithActorPubSubClient</c>) through a
    /// ClusterClientReceptionist and a gateway actor (<c>/user/actorpubsub-gateway</c>). This starts Akka's DistributedPubSub
    /// mediator, which the receptionist uses; with <see cref="Role"/> set, the mediator and the receptionist run on the nodes
    /// of that role only (<c>akka.cluster.pub-sub.role</c> and <c>akka.cluster.client.receptionist.role</c>).
    /// <b>Default:</b> false (the broker node host turns it on).
    /// </summary>
    public bool? AcceptClusterClients { get; set; }

    /// <summary>Shards of the topic region; fixed for the life of a cluster. <b>Default:</b> 100.</summary>
    public int? NumberOfShards { get; set; }

    /// <summary>Ack deadline of subscriptions created without one. <b>Default:</b> 30 s.</summary>
    public TimeSpan? DefaultAckDeadline { get; set; }

    /// <summary>
    /// Failed attempts after which a message of a subscription created without its own setting is
    /// dead-lettered (1-10,000). <b>Default:</b> 10.
    /// </summary>
    public int? DefaultMaxDeliveryAttempts { get; set; }

    /// <summary>
    /// How long a topic remembers publishers' message ids to store a repeated one once (0 to 1 day; 0 turns
    /// dedup by id off). <b>Default:</b> 2 minutes.
    /// </summary>
    public TimeSpan? DedupWindow { get; set; }

    /// <summary>Largest message accepted (serialized payload + key + headers + id). <b>Default:</b> 1 MiB.</summary>
    public int? MaxMessageSize { get; set; }

    /// <summary>Messages a topic retains before it refuses publishes. <b>Default:</b> 1,000,000.</summary>
    public int? MaxRetainedMessages { get; set; }

    /// <summary>Largest group-commit event, in messages. <b>Default:</b> 4,000.</summary>
    public int? MaxWriteBatchMessages { get; set; }

    /// <summary>An idle topic is stopped after this long (and recovers on its next message). <b>Default:</b> 120 s.</summary>
    public TimeSpan? TopicIdleTimeout { get; set; }

    /// <summary>Deliveries a consumer runs at once. <b>Default:</b> 256.</summary>
    public int? ConsumerMaxInFlight { get; set; }

    /// <summary>How often consumers renew their registration. <b>Default:</b> 2 s.</summary>
    public TimeSpan? ConsumerRenewInterval { get; set; }

    /// <summary>A consumer silent this long is dropped by the topic. <b>Default:</b> 15 s.</summary>
    public TimeSpan? ConsumerTimeout { get; set; }

    /// <summary>A publish without receipt is resent after this long. <b>Default:</b> 2 s.</summary>
    public TimeSpan? PublishResendAfter { get; set; }

    /// <summary>
    /// Publish batches per topic a client has sent and awaits the receipts of; what is published meanwhile waits and goes
    /// as one batch when a receipt comes (<c>actorpubsub.client.publish-batches-in-flight</c>). <b>Default:</b> 8.
    /// </summary>
    public int? PublishBatchesInFlight { get; set; }

    /// <summary>
    /// Whether a client sends publishes to the topic actor straight once its receipt (a transient publish: its grant of credit) names it, instead of through the
    /// shard region (<c>actorpubsub.client.publish-straight-to-topic</c>). <b>Default:</b> true.
    /// </summary>
    public bool? PublishStraightToTopic { get; set; }

    /// <summary>
    /// Durable publishes a client holds over all topics, queued or awaiting their receipts; beyond it <c>PublishAsync</c>
    /// fails at once with <see cref="PubSubRejectedException"/> (TopicFull) and sends nothing
    /// (<c>actorpubsub.client.max-outstanding-publishes</c>). <b>Default:</b> 100,000.
    /// </summary>
    public int? MaxOutstandingPublishes { get; set; }

    /// <summary>
    /// The bytes of those publishes together (every field in UTF-8), the same way
    /// (<c>actorpubsub.client.max-outstanding-publish-bytes</c>). <b>Default:</b> 64 MiB.
    /// </summary>
    public long? MaxOutstandingPublishBytes { get; set; }

    /// <summary>
    /// Transient deliveries a consumer may have unfinished; beyond it transient messages wait at the topic (as many
    /// again per subscription) before any is dropped (<c>actorpubsub.topic.transient-window</c>). <b>Default:</b> 10,000.
    /// </summary>
    public int? TransientWindow { get; set; }

    /// <summary>
    /// Transient credit a topic grants over all its publishers together: the transient messages parked at a topic stay
    /// within it however many publishers there are, and publishers beyond it wait at their client instead of losing
    /// messages at the topic (<c>actorpubsub.topic.transient-credit-pool</c>). <b>Default:</b> 10,000.
    /// </summary>
    public int? TransientCreditPool { get; set; }

    /// <summary>
    /// Transient messages per topic a client holds waiting for the topic's credit; beyond it a transient
    /// publish applies its <c>PublishOptions.Overflow</c> (<c>actorpubsub.client.transient-buffer</c>). <b>Default:</b> 10,000.
    /// </summary>
    public int? TransientBuffer { get; set; }

    /// <summary>
    /// Transient messages a client holds over all its topics together (as <see cref="TransientBuffer"/>, summed), so many
    /// topics cannot grow its memory without bound; beyond it a transient publish applies its <c>PublishOptions.Overflow</c>
    /// (<c>actorpubsub.client.transient-buffer-total</c>). <b>Default:</b> 100,000.
    /// </summary>
    public int? TransientBufferTotal { get; set; }

    /// <summary>
    /// Bytes of messages a topic node keeps in memory for the hot windows of all its topics: <c>auto</c> or a size such as
    /// <c>512 MiB</c> (<c>actorpubsub.memory-budget</c>). <b>Default:</b> <c>auto</c>: <see cref="MemoryBudgetFraction"/> of
    /// the container's memory limit.
    /// </summary>
    public string? MemoryBudget { get; set; }

    /// <summary>
    /// With <see cref="MemoryBudget"/> <c>auto</c>, the share of the container's memory limit (above 0, at most 1;
    /// <c>actorpubsub.memory-budget-fraction</c>). <b>Default:</b> 0.25.
    /// </summary>
    public double? MemoryBudgetFraction { get; set; }

    /// <summary>Extra HOCON applied last (highest priority), for settings without a property here.</summary>
    public string? ExtraHocon { get; set; }

    internal const int DefaultMaxMessageSize = 1024 * 1024;

    /// <summary>Akka's Split Brain Resolver strategies that count only the members of a role when one is set.</summary>
    internal static readonly IReadOnlyList<string> SplitBrainStrategiesWithRole = ["keep-majority", "keep-oldest", "static-quorum", "lease-majority"];
    /// <summary>topic.deliver-batch-bytes's default (reference.conf).</summary>
    internal const int DeliverBatchBytes = 64 * 1024;

    /// <summary>
    /// What a remote frame holds besides the largest message: a delivery batch (<see cref="DeliverBatchBytes"/>, or more
    /// where a user raised it), a redrive or dead-letter page. Kept at what it was when deliveries went in 256 KiB.
    /// </summary>
    internal const int FrameBatchHeadroom = 256 * 1024;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the option and what is allowed, or, on a node that hosts topics,
    /// <see cref="ConfigurationException"/> with one line when the memory budget is invalid or below the minimal window
    /// (<see cref="MemoryBudgetSettings.Validate"/>).
    /// </summary>
    public void Validate()
    {
        static void Positive(string name, double? value)
        {
            if (value is <= 0) throw new ArgumentException($"PubSubOptions.{name} must be positive, was {value}.");
        }
        Positive(nameof(NumberOfShards), NumberOfShards);
        Positive(nameof(MaxMessageSize), MaxMessageSize);
        Positive(nameof(MaxRetainedMessages), MaxRetainedMessages);
        Positive(nameof(MaxWriteBatchMessages), MaxWriteBatchMessages);
        Positive(nameof(TopicIdleTimeout), TopicIdleTimeout?.TotalMilliseconds);
        Positive(nameof(ConsumerRenewInterval), ConsumerRenewInterval?.TotalMilliseconds);
        Positive(nameof(ConsumerTimeout), ConsumerTimeout?.TotalMilliseconds);
        Positive(nameof(PublishResendAfter), PublishResendAfter?.TotalMilliseconds);
        Positive(nameof(PublishBatchesInFlight), PublishBatchesInFlight);
        Positive(nameof(MaxOutstandingPublishes), MaxOutstandingPublishes);
        Positive(nameof(MaxOutstandingPublishBytes), MaxOutstandingPublishBytes);
        Positive(nameof(TransientWindow), TransientWindow);
        Positive(nameof(TransientCreditPool), TransientCreditPool);
        Positive(nameof(TransientBuffer), TransientBuffer);
        Positive(nameof(TransientBufferTotal), TransientBufferTotal);
        if (DefaultAckDeadline is { } d && (d < TimeSpan.FromMilliseconds(100) || d > TimeSpan.FromDays(1)))
            throw new ArgumentException($"PubSubOptions.DefaultAckDeadline is {d}; it must be between 100 ms and 1 day.");
        if (DefaultMaxDeliveryAttempts is { } attempts && SubscriptionLimits.CheckMaxDeliveryAttempts("PubSubOptions.DefaultMaxDeliveryAttempts", attempts) is { } attemptsError)
            throw new ArgumentException(attemptsError);
        if (DedupWindow is { } w && (w < TimeSpan.Zero || w > TimeSpan.FromDays(1)))
            throw new ArgumentException($"PubSubOptions.DedupWindow is {w}; it must be between 0 and 1 day.");
        if (ConsumerMaxInFlight is { } window && SubscriptionLimits.CheckMaxInFlight("PubSubOptions.ConsumerMaxInFlight", window) is { } windowError)
            throw new ArgumentException(windowError);
        if (MaxMessageSize is > 64 * 1024 * 1024)
            throw new ArgumentException($"PubSubOptions.MaxMessageSize is {MaxMessageSize}; at most 64 MiB is allowed.");
        if (Role is { } role && string.IsNullOrWhiteSpace(role))
            throw new ArgumentException("PubSubOptions.Role must not be blank; leave it null for every node.");
        if (SplitBrainRole is { } sbrRole && (string.IsNullOrWhiteSpace(sbrRole) || sbrRole.Any(c => char.IsWhiteSpace(c) || c is '"' or '\\' or '$' or '{' or '}')))
            throw new ArgumentException($"PubSubOptions.SplitBrainRole '{sbrRole}' must be a cluster role name (no blanks, quotes or braces); leave it null for Role.");
        if (HostTopics == false && Role is null)
            throw new ArgumentException(
                "PubSubOptions.HostTopics = false (a client node) needs PubSubOptions.Role: the cluster role of the nodes that host " +
                "topics, which the client must not have. Without a role every node, clients included, counts for the shard " +
                "coordinator's majority writes, and clients cannot answer them.");
        if (HostTopics == false && (StandaloneCluster ?? true))
            throw new ArgumentException("PubSubOptions.HostTopics = false (a client node) joins a cluster of topic nodes: set StandaloneCluster = false and configure its cluster.");
        if (AcceptClusterClients == true && HostTopics == false)
            throw new ArgumentException(
                "PubSubOptions.AcceptClusterClients is for nodes that host topics; a client node (HostTopics = false) has no topics to serve.");
        if (PostgreSqlConnectionString is { } pg && string.IsNullOrWhiteSpace(pg))
            throw new ArgumentException("PubSubOptions.PostgreSqlConnectionString must not be blank; leave it null for SQLite.");
        if (IsSqliteInCluster && AllowSqliteInCluster != true)
            throw new ArgumentException(
                "PubSubOptions: SQLite on a topic node that joins a cluster (StandaloneCluster = false) is refused: each topic node " +
                "would write a SQLite file of its own, and a topic that moves to another node would find an empty one. Set " +
                "PubSubOptions.PostgreSqlConnectionString (one database for the cluster), or HostTopics = false on client nodes, or " +
                "AllowSqliteInCluster = true when this is the cluster's only topic node (or all topic nodes share this file on one machine).");
        if (MemoryBudget is { } budget && string.IsNullOrWhiteSpace(budget))
            throw new ArgumentException("PubSubOptions.MemoryBudget must not be blank; leave it null for auto.");
        // A client node keeps no topics, so it has no budget to check.
        if ((HostTopics ?? true) && TryToConfig() is { } config) MemoryBudgetSettings.CreateValidated(config.GetConfig(SettingsReader.Root));
    }

    /// <summary>A topic node on SQLite in a cluster it does not form alone.</summary>
    internal bool IsSqliteInCluster => (HostTopics ?? true) && StandaloneCluster == false && PostgreSqlConnectionString is null;

    private Config? TryToConfig()
    {
        try
        {
            return ToConfig();
        }
        catch (Exception)
        {
            // ExtraHocon that does not parse on its own (e.g. a substitution of a key the host adds elsewhere): the
            // ActorSystem reports it with the whole configuration, and checks nothing of the budget it cannot read here.
            return null;
        }
    }

    /// <summary>The configuration these options give over reference.conf (without what the host adds elsewhere).</summary>
    internal Config ToConfig() => ConfigurationFactory.ParseString(ToHocon()).WithFallback(PubSubConfig.Default);

    /// <summary>The HOCON of the set options, plus the remote frame size that the message size needs.</summary>
    public string ToHocon()
    {
        var sb = new StringBuilder();
        void Line(string key, object? value)
        {
            if (value is null) return;
            var text = value switch
            {
                TimeSpan t => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms",
                bool b => b ? "on" : "off",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString(),
            };
            sb.Append(key).Append(" = ").Append(text).Append('\n');
        }
        Line("actorpubsub.topic.default-ack-deadline", DefaultAckDeadline);
        Line("actorpubsub.topic.default-retry.max-delivery-attempts", DefaultMaxDeliveryAttempts);
        Line("actorpubsub.topic.dedup-window", DedupWindow);
        if (MaxMessageSize is { } size) Line("actorpubsub.topic.max-message-size", size.ToString(CultureInfo.InvariantCulture) + "b");
        Line("actorpubsub.topic.max-retained-messages", MaxRetainedMessages);
        Line("actorpubsub.topic.max-write-batch-messages", MaxWriteBatchMessages);
        Line("actorpubsub.topic.idle-timeout", TopicIdleTimeout);
        Line("actorpubsub.topic.consumer-timeout", ConsumerTimeout);
        Line("actorpubsub.consumer.max-in-flight", ConsumerMaxInFlight);
        Line("actorpubsub.consumer.renew-interval", ConsumerRenewInterval);
        Line("actorpubsub.client.resend-after", PublishResendAfter);
        Line("actorpubsub.client.publish-batches-in-flight", PublishBatchesInFlight);
        Line("actorpubsub.client.publish-straight-to-topic", PublishStraightToTopic);
        Line("actorpubsub.remote.direct-dispatch", DirectDispatch);
        Line("actorpubsub.remote.direct-send", DirectSend);
        Line("actorpubsub.client.max-outstanding-publishes", MaxOutstandingPublishes);
        if (MaxOutstandingPublishBytes is { } heldBytes)
            Line("actorpubsub.client.max-outstanding-publish-bytes", heldBytes.ToString(CultureInfo.InvariantCulture) + "b");
        Line("actorpubsub.topic.transient-window", TransientWindow);
        Line("actorpubsub.topic.transient-credit-pool", TransientCreditPool);
        Line("actorpubsub.client.transient-buffer", TransientBuffer);
        Line("actorpubsub.client.transient-buffer-total", TransientBufferTotal);
        if (MemoryBudget is { } budget) Line("actorpubsub.memory-budget", "\"" + budget.Trim().Replace("\"", "", StringComparison.Ordinal) + "\"");
        Line("actorpubsub.memory-budget-fraction", MemoryBudgetFraction);
        Line("actorpubsub.allow-plaintext-remoting", AllowPlaintextRemoting);
        // The resolver decides by the topic nodes: every strategy that takes a role gets it (whichever is active).
        if ((SplitBrainRole ?? Role) is { } deciders)
            foreach (var strategy in SplitBrainStrategiesWithRole)
                sb.Append("akka.cluster.split-brain-resolver.").Append(strategy).Append(".role = \"").Append(deciders).Append("\"\n");

        // A delivery batch holds up to deliver-batch-bytes plus one message of the largest size; remote
        // frames must fit it, or a large message would be dropped between nodes.
        var frame = (long)(MaxMessageSize ?? DefaultMaxMessageSize) + FrameBatchHeadroom + 64 * 1024;
        Line("akka.remote.dot-netty.tcp.maximum-frame-size", frame.ToString(CultureInfo.InvariantCulture) + "b");
        var transport = (RemoteTransport ?? Hosting.RemoteTransport.Sockets) == Hosting.RemoteTransport.Sockets
            ? Remoting.SocketTransport.ClassName
            : Remoting.SocketTransport.AkkaClassName;
        sb.Append("akka.remote.dot-netty.tcp.transport-class = \"").Append(transport).Append("\"\n");
        // Sharding keeps the coordinator state in distributed data; remember-entities stays off (consumers'
        // credit renewal wakes topics), so no durable store is needed.
        sb.Append("akka.cluster.sharding.state-store-mode = ddata\n");
        sb.Append("akka.cluster.sharding.remember-entities = off\n");
        sb.Append("akka.cluster.sharding.distributed-data.durable.keys = []\n");
        // After the shard coordinator moved (its host crashed or left), regions register with the new one and ask it
        // for shard homes at this interval (Akka's default 2 s): 1 s takes up to a second off every topic's recovery.
        sb.Append("akka.cluster.sharding.retry-interval = 1s\n");
        // A region that asks for a shard's home just as its host is removed can be told the removed host's region by a
        // coordinator that has not seen the removal yet; it then watches that region, and a watch on an address that is no
        // longer a member is Akka.Remote's heartbeat watch: Terminated only after its failure detector gives up (Akka's
        // acceptable pause 10 s: the topic started ~13 s after the removal; partitions of the topic's host took 27-29 s).
        // 4 s bounds that wait to ~6 s; members are still judged by the cluster's own failure detector (3 s pause).
        sb.Append("akka.remote.watch-failure-detector.acceptable-heartbeat-pause = 4s\n");
        if (ExtraHocon is not null) sb.Append(ExtraHocon).Append('\n');
        return sb.ToString();
    }
}
