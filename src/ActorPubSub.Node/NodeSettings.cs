using System.Text.RegularExpressions;
using ActorPubSub.Hosting;
using ActorPubSub.Server.Admin;
using ActorPubSub.Server.Configuration;
using ActorPubSub.Server.Membership;
using ActorPubSub.Server.Security;
using ActorPubSub.Server.Startup;
using ActorPubSub.Server.Web;
using Akka.Configuration;
using Npgsql;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Node;

/// <summary>
/// Settings of a broker node: the <c>Node</c> section of appsettings.json, or environment variables
/// <c>ACTORPUBSUB_Node__&lt;Name&gt;</c> (e.g. <c>ACTORPUBSUB_Node__Port=4055</c>,
/// <c>ACTORPUBSUB_Node__SeedNodes__0=akka.tcp://actorpubsub@lighthouse:4053</c>), or the Lighthouse image's
/// <c>ACTORSYSTEM</c>, <c>CLUSTER_IP</c>, <c>CLUSTER_PORT</c> and <c>CLUSTER_SEEDS</c> (see <see cref="NodeConfiguration"/>
/// for the precedence). Without seed nodes the node forms a one-node cluster by itself (the embedded default).
/// </summary>
public sealed partial class NodeSettings
{
    public const string SectionName = "Node";
    public const string DefaultActorSystemName = "actorpubsub";
    public const string DefaultSqliteFile = "data/actorpubsub.db";
    public const string DefaultRole = SplitBrainResolverSettings.DefaultRole;
    public const string Sqlite = "sqlite";
    public const string PostgreSql = "postgresql";

    /// <summary>Where the web server (health, admin) listens unless configured: loopback only.</summary>
    public const string DefaultHttpAddress = Server.Web.HttpAddress.Default;

    internal static readonly SettingsSection<NodeSettings> Section = new(SectionName);

    /// <summary>
    /// Every environment variable the node reads: <c>ACTORPUBSUB_Node__&lt;Setting&gt;</c> for each setting (lists as
    /// <c>__&lt;n&gt;</c>) and <c>ACTORSYSTEM</c>, <c>CLUSTER_IP</c>, <c>CLUSTER_PORT</c>, <c>CLUSTER_SEEDS</c>.
    /// </summary>
    public static IReadOnlyList<string> EnvironmentVariables => Section.EnvironmentVariables;

    /// <summary>True when the node reads the environment variable <paramref name="name"/>.</summary>
    public static bool ReadsEnvironmentVariable(string name) => Section.ReadsEnvironmentVariable(name);

    /// <summary>The health paths the node's web server serves (what probes call; the admin endpoint is under /admin/v1).</summary>
    public static IReadOnlyList<string> ServedPaths => HealthEndpoints.Paths;

    /// <summary>The Split Brain Resolver strategy unless configured.</summary>
    public const string DefaultSplitBrainResolver = SplitBrainResolverSettings.KeepMajority;

    /// <summary>The longest /health/ready takes to answer; a probe's timeout must be longer.</summary>
    public static TimeSpan ReadinessAnswerTimeout => HealthEndpoints.AnswerTimeout;

    /// <summary>
    /// Name of the ActorSystem; every member of a cluster (lighthouse, broker nodes, clients) uses the same one.
    /// <b>Default:</b> <c>actorpubsub</c>.
    /// </summary>
    public string ActorSystemName { get; set; } = DefaultActorSystemName;

    /// <summary>
    /// SQLite file of the journal and snapshots, relative to the working directory. Ignored when
    /// <see cref="PostgreSqlConnectionString"/> is set. <b>Default:</b> <c>data/actorpubsub.db</c>.
    /// </summary>
    public string? SqliteFile { get; set; }

    /// <summary>
    /// How SQLite commits: <c>full</c> fsyncs every commit before a publish is confirmed (a confirmed message survives a
    /// power loss); <c>normal</c> confirms before the fsync (it survives a process crash, not a power loss or OS crash:
    /// the durability of Redis with <c>appendfsync everysec</c>), for about half the latency. Ignored on PostgreSQL.
    /// <b>Default:</b> <c>full</c>.
    /// </summary>
    public string? SqliteSynchronous { get; set; }

    /// <summary>PostgreSQL connection string; when set, topics persist in PostgreSQL. <b>Default:</b> none (SQLite).</summary>
    public string? PostgreSqlConnectionString { get; set; }

    /// <summary>
    /// Where topics persist: <c>sqlite</c> (one node) or <c>postgresql</c> (a cluster; needs
    /// <see cref="PostgreSqlConnectionString"/>). <b>Default:</b> <c>postgresql</c> when a connection string is set,
    /// else <c>sqlite</c>.
    /// </summary>
    public string? StorageProvider { get; set; }

    /// <summary>
    /// Address Akka.Remote binds. <b>Default:</b> <c>127.0.0.1</c> for a standalone node, <c>0.0.0.0</c> (every
    /// interface) for a cluster node.
    /// </summary>
    public string? Hostname { get; set; }

    /// <summary>Port Akka.Remote binds; 0 picks a free one. <b>Default:</b> 0.</summary>
    public int? Port { get; set; }

    /// <summary>
    /// Host name other members reach this node by (advertised in its address). <b>Default:</b>
    /// <see cref="Hostname"/>, or the machine's host name when binding every interface.
    /// </summary>
    public string? PublicHostname { get; set; }

    /// <summary>
    /// Seed nodes to join, e.g. <c>akka.tcp://actorpubsub@lighthouse:4053</c>. Given: cluster mode. Empty: a one-node
    /// cluster of its own. <b>Default:</b> none.
    /// </summary>
    public string[] SeedNodes { get; set; } = [];

    /// <summary>
    /// Cluster role of this node; topics are hosted on the nodes with this role. Clients that join the cluster
    /// (<c>PubSubOptions.HostTopics = false</c>) must name the same role: without a role, every member (a client,
    /// the lighthouse) would count towards the majority the shard coordinator writes its state to, and members
    /// that run no topic region cannot acknowledge those writes, so topics could not be placed.
    /// <b>Default:</b> <c>actorpubsub</c>.
    /// </summary>
    public string Role { get; set; } = DefaultRole;

    /// <summary>
    /// Cluster mode on SQLite is refused at start-up: every broker node would write a file of its own, and a topic that
    /// moves to another node would find an empty one. True states that this is the cluster's only broker node (with a
    /// lighthouse and clients), or that every broker node uses this same file on one machine. <b>Default:</b> false.
    /// </summary>
    public bool AllowSqliteInCluster { get; set; }

    /// <summary>
    /// The TCP transport of Akka.Remote: <c>Sockets</c>, ActorPubSub's own, or <c>DotNetty</c>, Akka's. Both speak the
    /// same wire, so members on either form one cluster; with TLS on, Akka's runs. <b>Default:</b> <c>Sockets</c>.
    /// </summary>
    public RemoteTransport RemoteTransport { get; set; } = RemoteTransport.Sockets;

    /// <summary>
    /// With the <c>Sockets</c> transport, received topic-protocol messages (publishes, receipts, deliveries, acks) are told
    /// to their recipient on the connection's read loop, past Akka.Remote's endpoint actors
    /// (<c>actorpubsub.remote.direct-dispatch</c>). <b>Default:</b> true.
    /// </summary>
    public bool DirectDispatch { get; set; } = true;

    /// <summary>
    /// With the <c>Sockets</c> transport, topic-protocol messages to remote actors (deliveries, receipts) are written
    /// straight into the connection Akka.Remote uses, past its endpoint actors, in order
    /// (<c>actorpubsub.remote.direct-send</c>). <b>Default:</b> true.
    /// </summary>
    public bool DirectSend { get; set; } = true;

    /// <summary>
    /// With SQLite and <see cref="SqliteSynchronous"/> full: topics deliver a message once its commit is written, while the
    /// fsync runs; receipts wait for the fsync either way (<c>PubSubOptions.DeliverBeforeSync</c>).
    /// <b>Default:</b> true.
    /// </summary>
    public bool DeliverBeforeSync { get; set; } = true;

    /// <summary>
    /// Forms a one-node cluster of its own (true) or joins <see cref="SeedNodes"/> (false).
    /// <b>Default:</b> true exactly when no seed nodes are given.
    /// </summary>
    public bool? StandaloneCluster { get; set; }

    /// <summary>
    /// Where the web server listens (<c>host:port</c>; port 0 picks a free one): <c>/health/live</c> and
    /// <c>/health/ready</c> and the admin endpoint (pbm; a token is required off loopback). In Kubernetes
    /// <c>0.0.0.0:9110</c>, so probes reach it.
    /// <b>Default:</b> <c>127.0.0.1:9110</c>.
    /// </summary>
    public string HttpAddress { get; set; } = DefaultHttpAddress;

    /// <summary>
    /// Bearer token of the admin endpoint (pbm sends it with <c>--token</c> or <c>PBM_TOKEN</c>); at least 16 characters.
    /// Required when <see cref="HttpAddress"/> is not loopback only: without it the admin endpoint is then disabled.
    /// <b>Default:</b> none.
    /// </summary>
    public string? AdminToken { get; set; }

    /// <summary>
    /// Require <see cref="AdminToken"/> on a loopback address too. Always on when <see cref="HttpAddress"/> is not
    /// loopback only. <b>Default:</b> false.
    /// </summary>
    public bool RequireAdminToken { get; set; }

    /// <summary>
    /// Names the admin endpoint answers to as <c>Host</c> (what pbm connects to, e.g. <c>broker-http</c> for
    /// <c>pbm broker-http:9110</c>), besides <c>localhost</c>, IP addresses, the machine's host name and the advertised
    /// host name. A request naming any other host is refused (403), so that a web page that points its own name at this
    /// machine cannot use the endpoint. <b>Default:</b> none.
    /// </summary>
    public string[] AdminHostNames { get; set; } = [];

    /// <summary>
    /// Split Brain Resolver strategy: <c>keep-majority</c>, <c>keep-oldest</c>, <c>static-quorum</c> (with
    /// <see cref="SplitBrainQuorumSize"/>), <c>down-all</c> or <c>off</c>. Every member of the cluster (lighthouse too)
    /// must use the same one. <b>Default:</b> <c>keep-majority</c>.
    /// </summary>
    public string? SplitBrainResolver { get; set; }

    /// <summary>How long membership must be stable before the resolver decides. <b>Default:</b> 5 s (<c>00:00:05</c>).</summary>
    public TimeSpan? SplitBrainStableAfter { get; set; }

    /// <summary>
    /// The cluster role whose members the Split Brain Resolver counts (<c>akka.cluster.split-brain-resolver.&lt;strategy&gt;.role</c>):
    /// the broker nodes, so that clients and lighthouses on one side of a partition cannot outvote brokers on the other.
    /// The same on every member (lighthouse: <c>Lighthouse:SplitBrainRole</c>; clients: <c>PubSubOptions.SplitBrainRole</c>).
    /// <b>Default:</b> <see cref="Role"/>.
    /// </summary>
    public string? SplitBrainRole { get; set; }

    /// <summary>Members a side of a partition needs to stay up, for <c>static-quorum</c> only. <b>Default:</b> none.</summary>
    public int? SplitBrainQuorumSize { get; set; }

    /// <summary>
    /// A cluster node whose journal (the database) has failed this long while other brokers' journals answer leaves the
    /// cluster (its topics stopped at once, not waiting for a last write that cannot succeed), so its topics move to brokers that can serve them, and exits with code 3 (Kubernetes restarts it; on
    /// start a cluster node waits until its journal answers before it joins). When no other broker reaches the database
    /// either, it stays. <c>00:00:00</c> turns this off. <b>Default:</b> 5 s (<c>00:00:05</c>): with the removal that follows
    /// (about 10 s) a cut-off broker's topics serve again within 20 s of the cut.
    /// </summary>
    public TimeSpan? JournalOutageLeaveAfter { get; set; }

    /// <summary>The journal outage a broker waits out before it leaves, unless configured.</summary>
    public static readonly TimeSpan DefaultJournalOutageLeaveAfter = TimeSpan.FromSeconds(5);

    /// <summary>
    /// PKCS#12 file (.pfx, with the private key) of this node's certificate. Set: Akka.Remote runs mutual TLS — the node
    /// presents it and requires a valid certificate from every peer, whose addresses are then <c>akka.ssl.tcp://</c>
    /// (seed nodes too). Every member of the cluster (lighthouse, clients) must use TLS. <b>Default:</b> none (plain TCP).
    /// </summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>Password of <see cref="TlsCertificatePath"/>. <b>Default:</b> none.</summary>
    public string? TlsCertificatePassword { get; set; }

    /// <summary>
    /// Certificate (PEM or DER) of the CA that issues the cluster's certificates: a peer's certificate must chain to it,
    /// and to nothing else. <b>Default:</b> none: any CA this machine trusts.
    /// </summary>
    public string? TlsCaCertificatePath { get; set; }

    /// <summary>
    /// Allow Akka.Remote on plain TCP although it binds an address off loopback (<see cref="Hostname"/>; in a cluster
    /// <c>0.0.0.0</c> unless the advertised address is a loopback IP). Without it such a node needs
    /// <see cref="TlsCertificatePath"/> (mutual TLS) and does not start otherwise: plain remoting admits any process that
    /// reaches the port. For a network trusted as a whole only. <b>Default:</b> false.
    /// </summary>
    public bool AllowPlaintextRemoting { get; set; }

    /// <summary>
    /// Bytes of messages the node keeps in memory for its topics' hot windows (the backlog beyond them stays in the
    /// journal): <c>auto</c> or a size such as <c>512 MiB</c> (<c>actorpubsub.memory-budget</c>). <b>Default:</b> <c>auto</c>:
    /// <see cref="MemoryBudgetFraction"/> of the container's memory limit.
    /// </summary>
    public string? MemoryBudget { get; set; }

    /// <summary>
    /// With <see cref="MemoryBudget"/> <c>auto</c>, the share of the container's memory limit, above 0 and at most 1
    /// (<c>actorpubsub.memory-budget-fraction</c>). <b>Default:</b> 0.25.
    /// </summary>
    public double? MemoryBudgetFraction { get; set; }

    /// <summary>
    /// Serves clients outside the cluster (<c>WithActorPubSubClient</c>, Akka.Cluster.Tools' ClusterClient): a receptionist
    /// at <c>/system/receptionist</c> and the gateway <c>/user/actorpubsub-gateway</c> to the topics. <b>Default:</b> true.
    /// </summary>
    public bool AcceptClusterClients { get; set; } = true;

    /// <summary>True: one-node cluster of its own; false: joins <see cref="SeedNodes"/>.</summary>
    public bool IsStandalone => StandaloneCluster ?? SeedNodes.Length == 0;

    /// <summary>
    /// The address Akka.Remote binds: 127.0.0.1 standalone; in a cluster the advertised address when that is a loopback
    /// IP (a node only reachable on this machine listens only there), else every interface.
    /// </summary>
    public string BindHostname => Hostname ?? (IsStandalone ? "127.0.0.1" : ClusterAddresses.DefaultBindHostname(PublicHostname));

    /// <summary>The host name this node advertises.</summary>
    public string AdvertisedHostname =>
        PublicHostname ?? (ClusterAddresses.IsUnspecified(BindHostname) ? System.Net.Dns.GetHostName() : BindHostname);

    /// <summary><c>sqlite</c> or <c>postgresql</c>: the storage in use.</summary>
    public string Storage => StorageProvider?.ToLowerInvariant() ?? (PostgreSqlConnectionString is null ? Sqlite : PostgreSql);

    /// <summary>The SQLite file in use (absolute), or null on PostgreSQL.</summary>
    public string? SqlitePath => Storage == Sqlite ? Path.GetFullPath(SqliteFile ?? DefaultSqliteFile) : null;

    /// <summary>The web server's address (valid once <see cref="Validate"/> passed).</summary>
    internal HttpAddress Http => Server.Web.HttpAddress.TryParse(HttpAddress, out var address, out _)
        ? address
        : throw new InvalidOperationException($"Node:HttpAddress '{HttpAddress}' is invalid.");

    /// <summary>Who may use the admin endpoint (valid once <see cref="Validate"/> passed).</summary>
    internal AdminAccess AdminAccess => AdminAccess.Resolve(Http, AdminToken, RequireAdminToken, Section.Describe(nameof(AdminToken)),
        [.. AdminHostNames, System.Net.Dns.GetHostName(), AdvertisedHostname]);
    /// <summary>Mutual TLS for Akka.Remote, or null when off.</summary>
    internal RemotingTlsSettings? RemotingTls => RemotingTlsSettings.Create(TlsCertificatePath, TlsCertificatePassword, TlsCaCertificatePath);

    /// <summary>The Split Brain Resolver this node runs with.</summary>
    internal SplitBrainResolverSettings SplitBrain =>
        SplitBrainResolverSettings.Create(SplitBrainResolver, SplitBrainStableAfter, SplitBrainQuorumSize, SplitBrainRole ?? Role);

    /// <summary>The journal watchdog of a cluster node, or null (standalone, or turned off).</summary>
    internal Health.JournalWatchdogSettings? JournalWatchdog =>
        IsStandalone || (JournalOutageLeaveAfter ?? DefaultJournalOutageLeaveAfter) == TimeSpan.Zero
            ? null
            : new(JournalOutageLeaveAfter ?? DefaultJournalOutageLeaveAfter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), Role);

    /// <summary><see cref="SqliteSynchronous"/> as the option it sets (validated by <see cref="Validate"/>; unset is full).</summary>
    private ActorPubSub.Hosting.SqliteSynchronous SqliteCommits =>
        string.Equals(SqliteSynchronous, "normal", StringComparison.OrdinalIgnoreCase)
            ? ActorPubSub.Hosting.SqliteSynchronous.Normal
            : ActorPubSub.Hosting.SqliteSynchronous.Full;

    /// <summary>What the node persists to, for the log (no credentials).</summary>
    public string StorageDescription
    {
        get
        {
            if (SqlitePath is { } file)
                return $"SQLite {file} (synchronous {SqliteCommits.ToString().ToLowerInvariant()}" +
                       (SqliteCommits == ActorPubSub.Hosting.SqliteSynchronous.Full ? $", delivery {(DeliverBeforeSync ? "before" : "after")} the fsync)" : ")");
            var pg = new NpgsqlConnectionStringBuilder(PostgreSqlConnectionString);
            return $"PostgreSQL (host {pg.Host}, database {pg.Database})";
        }
    }

    /// <summary>The options of <c>WithActorPubSub</c> this node runs with.</summary>
    public PubSubOptions ToPubSubOptions() => new()
    {
        SqliteFile = SqliteFile ?? DefaultSqliteFile,
        SqliteSynchronous = SqliteCommits,
        PostgreSqlConnectionString = Storage == PostgreSql ? PostgreSqlConnectionString : null,
        StandaloneCluster = IsStandalone,
        Role = Role,
        SplitBrainRole = SplitBrainRole ?? Role,
        AllowPlaintextRemoting = AllowPlaintextRemoting,
        MemoryBudget = MemoryBudget,
        MemoryBudgetFraction = MemoryBudgetFraction,
        AllowSqliteInCluster = AllowSqliteInCluster,
        RemoteTransport = RemoteTransport,
        DirectDispatch = DirectDispatch,
        DirectSend = DirectSend,
        DeliverBeforeSync = DeliverBeforeSync,
        AcceptClusterClients = AcceptClusterClients,
    };

    /// <summary>The first invalid setting, as one line naming it and what is allowed; null when all are valid.</summary>
    public string? Validate()
    {
        if (!SystemNamePattern().IsMatch(ActorSystemName))
            return Invalid(nameof(ActorSystemName), ActorSystemName, "use letters, digits, '-' and '_', starting with a letter or digit");
        if (SqliteFile is { } sqlite && string.IsNullOrWhiteSpace(sqlite))
            return Invalid(nameof(SqliteFile), sqlite, "must not be blank; leave it unset for the default data/actorpubsub.db");
        if (SqliteSynchronous is { } sync && !string.Equals(sync, "full", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(sync, "normal", StringComparison.OrdinalIgnoreCase))
            return Invalid(nameof(SqliteSynchronous), sync, "must be full (fsync per commit, the default) or normal (confirm before the fsync)");
        if (PostgreSqlConnectionString is { } pg && ValidatePostgreSql(pg) is { } pgError)
            return Invalid(nameof(PostgreSqlConnectionString), "(not shown)", pgError);
        if (StorageProvider is { } provider && !string.Equals(provider, Sqlite, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(provider, PostgreSql, StringComparison.OrdinalIgnoreCase))
            return Invalid(nameof(StorageProvider), provider, $"must be {Sqlite} (one node) or {PostgreSql} (a cluster)");
        if (Storage == PostgreSql && PostgreSqlConnectionString is null)
            return Invalid(nameof(StorageProvider), StorageProvider, $"needs Node:{nameof(PostgreSqlConnectionString)} ({Section.EnvironmentName(nameof(PostgreSqlConnectionString))})");
        if (Storage == Sqlite && PostgreSqlConnectionString is not null)
            return Invalid(nameof(StorageProvider), StorageProvider, $"contradicts Node:{nameof(PostgreSqlConnectionString)}, which is set; remove one of them");
        if (Hostname is { } host && string.IsNullOrWhiteSpace(host))
            return Invalid(nameof(Hostname), host, "must not be blank");
        if (Port is < 0 or > 65535)
            return Invalid(nameof(Port), Port, "must be between 0 and 65535 (0 picks a free port)");
        if (PublicHostname is { } publicHost && (string.IsNullOrWhiteSpace(publicHost) || publicHost is "0.0.0.0" or "::"))
            return Invalid(nameof(PublicHostname), publicHost, "must be a host name or address other nodes can reach");
        if (string.IsNullOrWhiteSpace(Role))
            return Invalid(nameof(Role), Role, $"must not be blank; leave it unset for the default {DefaultRole}");
        if (RemotingTlsSettings.Validate(TlsCertificatePath, TlsCertificatePassword, TlsCaCertificatePath) is var (tlsSetting, tlsValue, tlsRule))
            return Invalid(tlsSetting, tlsValue, tlsRule);
        for (var i = 0; i < SeedNodes.Length; i++)
        {
            if (ClusterAddresses.ValidateSeedNode(SeedNodes[i], ActorSystemName, tls: TlsCertificatePath is not null) is { } seedError)
                return Invalid($"{nameof(SeedNodes)}:{i}", SeedNodes[i], seedError);
        }
        if (!Server.Web.HttpAddress.TryParse(HttpAddress, out _, out var httpError))
            return Invalid(nameof(HttpAddress), HttpAddress, httpError);
        for (var i = 0; i < AdminHostNames.Length; i++)
        {
            if (Uri.CheckHostName(AdminHostNames[i]) != UriHostNameType.Dns)
                return Invalid($"{nameof(AdminHostNames)}:{i}", AdminHostNames[i], "must be a DNS host name without port (e.g. broker-http); IP addresses are allowed anyway");
        }
        if (AdminAccess.ValidateToken(AdminToken) is { } tokenError)
            return Invalid(nameof(AdminToken), "(not shown)", tokenError);
        if (RequireAdminToken && AdminToken is null)
            return Invalid(nameof(RequireAdminToken), true, $"needs Node:{nameof(AdminToken)} ({Section.EnvironmentName(nameof(AdminToken))})");
        if (SplitBrainResolverSettings.Validate(SplitBrainResolver, SplitBrainStableAfter, SplitBrainQuorumSize, SplitBrainRole) is var (sbrSetting, sbrValue, sbrRule))
            return Invalid(sbrSetting, sbrValue, sbrRule);
        if (JournalOutageLeaveAfter is { } leaveAfter && leaveAfter != TimeSpan.Zero
            && (leaveAfter < TimeSpan.FromSeconds(2) || leaveAfter > TimeSpan.FromHours(1)))
            return Invalid(nameof(JournalOutageLeaveAfter), leaveAfter, "must be between 00:00:02 and 01:00:00, or 00:00:00 (off)");
        if (StandaloneCluster == true && SeedNodes.Length > 0)
            return Invalid(nameof(StandaloneCluster), true, "contradicts Node:SeedNodes; a standalone node joins no seed nodes");
        if (StandaloneCluster == false && SeedNodes.Length == 0)
            return Invalid(nameof(StandaloneCluster), false, "needs Node:SeedNodes to join (at least one akka.tcp:// address)");
        if (!IsStandalone && SqlitePath is { } file && !AllowSqliteInCluster)
            return $"SQLite storage ({file}) in cluster mode (Node:SeedNodes) is refused: every broker node would write a file of its own, "
                   + $"and a topic that moves to another node would find an empty one; set {Section.Describe(nameof(PostgreSqlConnectionString))}, "
                   + $"or {Section.Describe(nameof(AllowSqliteInCluster))}=true if this is the cluster's only broker node.";
        // Last: a setting that is wrong in itself is named first, before the rule about the whole.
        if (PlaintextRemoting.Validate(BindHostname, TlsCertificatePath is not null, AllowPlaintextRemoting, SectionName) is { } plaintext)
            return Invalid(nameof(TlsCertificatePath), TlsCertificatePath, plaintext);

        try
        {
            ToPubSubOptions().Validate();
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
        catch (ConfigurationException e) when (e.Message.StartsWith("actorpubsub.memory-budget", StringComparison.Ordinal))
        {
            // The budget's own line names actorpubsub.memory-budget(-fraction), its value and the minimal window.
            return e.Message.StartsWith("actorpubsub.memory-budget-fraction", StringComparison.Ordinal)
                ? Invalid(nameof(MemoryBudgetFraction), MemoryBudgetFraction, e.Message.TrimEnd('.'))
                : Invalid(nameof(MemoryBudget), MemoryBudget ?? "auto", e.Message.TrimEnd('.'));
        }
        return null;
    }

    private static string? ValidatePostgreSql(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString)) return "must not be blank; leave it unset for SQLite";
        try
        {
            var pg = new NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrWhiteSpace(pg.Host) ? "names no Host" : null;
        }
        catch (ArgumentException e)
        {
            return $"is not a valid connection string: {e.Message}";
        }
    }

    /// <summary>The first port this node would bind that another program holds, as one line; null when both are free.</summary>
    internal string? PortInUse() =>
        PortCheck.InUse("remoting", BindHostname, Port ?? 0, Section.Describe(nameof(Port)))
        ?? PortCheck.InUse("web server", Http.Ip.ToString(), Http.Port, Section.Describe(nameof(HttpAddress)));

    /// <summary>One line naming the setting (configuration key and environment variable), its value and what is allowed.</summary>
    internal static string Invalid(string name, object? value, string rule) => Section.Invalid(name, value, rule);

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_-]*$")]
    private static partial Regex SystemNamePattern();
}
