using System.Text.RegularExpressions;
using Akka.Actor;
using ActorPubSub.Hosting;
using Npgsql;

namespace ActorPubSub.Node;

/// <summary>
/// Settings of a broker node: the <c>Node</c> section of appsettings.json, or environment variables
/// <c>ACTORPUBSUB_Node__&lt;Name&gt;</c> (e.g. <c>ACTORPUBSUB_Node__Port=4055</c>,
/// <c>ACTORPUBSUB_Node__SeedNodes__0=akka.tcp://actorpubsub@lighthouse:4053</c>).
/// Without seed nodes the node forms a one-node cluster by itself (the embedded default).
/// </summary>
public sealed partial class NodeSettings
{
    public const string SectionName = "Node";
    public const string DefaultActorSystemName = "actorpubsub";
    public const string DefaultSqliteFile = "data/actorpubsub.db";
    public const string DefaultRole = "actorpubsub";

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

    /// <summary>PostgreSQL connection string; when set, topics persist in PostgreSQL. <b>Default:</b> none (SQLite).</summary>
    public string? PostgreSqlConnectionString { get; set; }

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
    /// Forms a one-node cluster of its own (true) or joins <see cref="SeedNodes"/> (false).
    /// <b>Default:</b> true exactly when no seed nodes are given.
    /// </summary>
    public bool? StandaloneCluster { get; set; }

    /// <summary>True: one-node cluster of its own; false: joins <see cref="SeedNodes"/>.</summary>
    public bool IsStandalone => StandaloneCluster ?? SeedNodes.Length == 0;

    /// <summary>The address Akka.Remote binds.</summary>
    public string BindHostname => Hostname ?? (IsStandalone ? "127.0.0.1" : "0.0.0.0");

    /// <summary>The host name this node advertises.</summary>
    public string AdvertisedHostname =>
        PublicHostname ?? (BindHostname is "0.0.0.0" or "::" ? System.Net.Dns.GetHostName() : BindHostname);

    /// <summary>The SQLite file in use (absolute), or null on PostgreSQL.</summary>
    public string? SqlitePath => PostgreSqlConnectionString is null ? Path.GetFullPath(SqliteFile ?? DefaultSqliteFile) : null;

    /// <summary>What the node persists to, for the log (no credentials).</summary>
    public string StorageDescription
    {
        get
        {
            if (SqlitePath is { } file) return $"SQLite {file}";
            var pg = new NpgsqlConnectionStringBuilder(PostgreSqlConnectionString);
            return $"PostgreSQL (host {pg.Host}, database {pg.Database})";
        }
    }

    /// <summary>The options of <c>WithActorPubSub</c> this node runs with.</summary>
    public PubSubOptions ToPubSubOptions() => new()
    {
        SqliteFile = SqliteFile ?? DefaultSqliteFile,
        PostgreSqlConnectionString = PostgreSqlConnectionString,
        StandaloneCluster = IsStandalone,
        Role = Role,
    };

    /// <summary>The first invalid setting, as one line naming it and what is allowed; null when all are valid.</summary>
    public string? Validate()
    {
        if (!SystemNamePattern().IsMatch(ActorSystemName))
            return Invalid(nameof(ActorSystemName), ActorSystemName, "use letters, digits, '-' and '_', starting with a letter or digit");
        if (SqliteFile is { } sqlite && string.IsNullOrWhiteSpace(sqlite))
            return Invalid(nameof(SqliteFile), sqlite, "must not be blank; leave it unset for the default data/actorpubsub.db");
        if (PostgreSqlConnectionString is { } pg && ValidatePostgreSql(pg) is { } pgError)
            return Invalid(nameof(PostgreSqlConnectionString), "(not shown)", pgError);
        if (Hostname is { } host && string.IsNullOrWhiteSpace(host))
            return Invalid(nameof(Hostname), host, "must not be blank");
        if (Port is < 0 or > 65535)
            return Invalid(nameof(Port), Port, "must be between 0 and 65535 (0 picks a free port)");
        if (PublicHostname is { } publicHost && (string.IsNullOrWhiteSpace(publicHost) || publicHost is "0.0.0.0" or "::"))
            return Invalid(nameof(PublicHostname), publicHost, "must be a host name or address other nodes can reach");
        if (string.IsNullOrWhiteSpace(Role))
            return Invalid(nameof(Role), Role, $"must not be blank; leave it unset for the default {DefaultRole}");
        for (var i = 0; i < SeedNodes.Length; i++)
        {
            if (ValidateSeedNode(SeedNodes[i]) is { } seedError)
                return Invalid($"{nameof(SeedNodes)}:{i}", SeedNodes[i], seedError);
        }
        if (StandaloneCluster == true && SeedNodes.Length > 0)
            return Invalid(nameof(StandaloneCluster), true, "contradicts Node:SeedNodes; a standalone node joins no seed nodes");
        if (StandaloneCluster == false && SeedNodes.Length == 0)
            return Invalid(nameof(StandaloneCluster), false, "needs Node:SeedNodes to join (at least one akka.tcp:// address)");

        try
        {
            ToPubSubOptions().Validate();
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
        return null;
    }

    private string? ValidateSeedNode(string seed)
    {
        const string form = "must be an address like akka.tcp://{0}@host:4053";
        if (!seed.StartsWith("akka.tcp://", StringComparison.Ordinal)
            || !Address.TryParse(seed, out var address, out var path)
            || address.Host is null || address.Port is null or <= 0 or > 65535
            || path is not (null or "" or "/"))
            return string.Format(System.Globalization.CultureInfo.InvariantCulture, form, ActorSystemName);
        if (address.System != ActorSystemName)
            return $"names ActorSystem '{address.System}', but this node's Node:ActorSystemName is '{ActorSystemName}' (members of a cluster share one name)";
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

    /// <summary>One line naming the setting (configuration key and environment variable), its value and what is allowed.</summary>
    internal static string Invalid(string name, object? value, string rule) =>
        $"Invalid setting {SectionName}:{name} ({NodeConfiguration.EnvironmentPrefix}{SectionName}__{name.Replace(":", "__", StringComparison.Ordinal)}) = '{value}': {rule}.";

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_-]*$")]
    private static partial Regex SystemNamePattern();
}
