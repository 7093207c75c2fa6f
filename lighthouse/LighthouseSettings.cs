using System.Text.RegularExpressions;
using ActorPubSub.Server.Admin;
using ActorPubSub.Server.Configuration;
using ActorPubSub.Server.Membership;
using ActorPubSub.Server.Security;
using ActorPubSub.Server.Startup;
using ActorPubSub.Server.Web;

namespace ActorPubSub.Lighthouse;

/// <summary>
/// Settings of the lighthouse: the <c>Lighthouse</c> section of appsettings.json, the Lighthouse image's variables
/// <c>ACTORSYSTEM</c>, <c>CLUSTER_IP</c>, <c>CLUSTER_PORT</c>, <c>CLUSTER_SEEDS</c>, or
/// <c>ACTORPUBSUB_Lighthouse__&lt;Name&gt;</c> for any setting (precedence: see <see cref="LighthouseConfiguration"/>).
/// </summary>
public sealed partial class LighthouseSettings
{
    public const string SectionName = "Lighthouse";
    public const string DefaultActorSystemName = "actorpubsub";
    public const string DefaultPublicHostname = "127.0.0.1";
    public const int DefaultPort = 4053;

    /// <summary>
    /// The cluster role of a lighthouse. It must not be the broker nodes' role: topics are never placed here, and the
    /// shard coordinator (a singleton on the oldest member of that role) would wait for a lighthouse that runs none.
    /// </summary>
    public const string Role = "lighthouse";

    /// <summary>The role the Split Brain Resolver counts unless configured: the broker nodes' role.</summary>
    public const string DefaultSplitBrainRole = SplitBrainResolverSettings.DefaultRole;

    /// <summary>Where the web server (health, admin) listens unless configured: loopback only.</summary>
    public const string DefaultHttpAddress = Server.Web.HttpAddress.Default;

    internal static readonly SettingsSection<LighthouseSettings> Section = new(SectionName);

    /// <summary>Every environment variable the lighthouse reads (lists as <c>__&lt;n&gt;</c>).</summary>
    public static IReadOnlyList<string> EnvironmentVariables => Section.EnvironmentVariables;

    /// <summary>True when the lighthouse reads the environment variable <paramref name="name"/>.</summary>
    public static bool ReadsEnvironmentVariable(string name) => Section.ReadsEnvironmentVariable(name);

    /// <summary>The paths the lighthouse's web server serves.</summary>
    public static IReadOnlyList<string> ServedPaths => HealthEndpoints.Paths;

    /// <summary>The Split Brain Resolver strategy unless configured.</summary>
    public const string DefaultSplitBrainResolver = SplitBrainResolverSettings.KeepMajority;

    /// <summary>The longest /health/ready takes to answer; a probe's timeout must be longer.</summary>
    public static TimeSpan ReadinessAnswerTimeout => HealthEndpoints.AnswerTimeout;

    /// <summary>Name of the ActorSystem; every member of the cluster uses the same one (<c>ACTORSYSTEM</c>). <b>Default:</b> <c>actorpubsub</c>.</summary>
    public string ActorSystemName { get; set; } = DefaultActorSystemName;

    /// <summary>Host name or IP address the others reach this lighthouse by (<c>CLUSTER_IP</c>). <b>Default:</b> <c>127.0.0.1</c>.</summary>
    public string PublicHostname { get; set; } = DefaultPublicHostname;

    /// <summary>
    /// Address Akka.Remote binds. <b>Default:</b> <see cref="PublicHostname"/> when that is a loopback IP, else
    /// <c>0.0.0.0</c> (every interface).
    /// </summary>
    public string? Hostname { get; set; }

    /// <summary>Akka.Remote port (<c>CLUSTER_PORT</c>); 0 picks a free one. <b>Default:</b> 4053.</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>
    /// Seed nodes (<c>CLUSTER_SEEDS</c>, comma-separated): the cluster to join; the first seed forms it when it cannot
    /// reach the others. <b>Default:</b> none: this lighthouse forms a cluster of its own (it is its own seed).
    /// </summary>
    public string[] SeedNodes { get; set; } = [];

    /// <summary>Where the web server listens (<c>host:port</c>; port 0 picks a free one). <b>Default:</b> <c>127.0.0.1:9110</c>.</summary>
    public string HttpAddress { get; set; } = DefaultHttpAddress;

    /// <summary>
    /// Bearer token of the admin endpoint (pbm); at least 16 characters. Required when <see cref="HttpAddress"/> is not
    /// loopback only: without it the admin endpoint is then disabled. <b>Default:</b> none.
    /// </summary>
    public string? AdminToken { get; set; }

    /// <summary>Require <see cref="AdminToken"/> on a loopback address too (always on elsewhere). <b>Default:</b> false.</summary>
    public bool RequireAdminToken { get; set; }

    /// <summary>
    /// Names the admin endpoint answers to as <c>Host</c> (what pbm connects to, e.g. <c>broker-http</c> for
    /// <c>pbm broker-http:9110</c>), besides <c>localhost</c>, IP addresses, the machine's host name and the advertised
    /// host name. A request naming any other host is refused (403), so that a web page that points its own name at this
    /// machine cannot use the endpoint. <b>Default:</b> none.
    /// </summary>
    public string[] AdminHostNames { get; set; } = [];

    /// <summary>
    /// Split Brain Resolver strategy (<c>keep-majority</c>, <c>keep-oldest</c>, <c>static-quorum</c>, <c>down-all</c>,
    /// <c>off</c>); the same on every member of the cluster. <b>Default:</b> <c>keep-majority</c>.
    /// </summary>
    public string? SplitBrainResolver { get; set; }

    /// <summary>How long membership must be stable before the resolver decides. <b>Default:</b> 5 s (<c>00:00:05</c>).</summary>
    public TimeSpan? SplitBrainStableAfter { get; set; }

    /// <summary>Members a side of a partition needs to stay up, for <c>static-quorum</c> only.</summary>
    public int? SplitBrainQuorumSize { get; set; }

    /// <summary>
    /// The cluster role whose members the Split Brain Resolver counts: the broker nodes' role, the same on every member
    /// (<c>Node:SplitBrainRole</c>, <c>PubSubOptions.SplitBrainRole</c>). A lighthouse does not count (it has its own
    /// role): it stays up when it is on the side that keeps the brokers, and is downed (and restarted) with the other side.
    /// <b>Default:</b> <c>actorpubsub</c>.
    /// </summary>
    public string? SplitBrainRole { get; set; }

    /// <summary>
    /// Allow Akka.Remote on plain TCP although it binds an address off loopback. Without it such a lighthouse needs
    /// <see cref="TlsCertificatePath"/> (mutual TLS) and does not start otherwise. <b>Default:</b> false.
    /// </summary>
    public bool AllowPlaintextRemoting { get; set; }

    /// <summary>
    /// PKCS#12 file (.pfx, with the private key) of this lighthouse's certificate. Set: Akka.Remote runs mutual TLS and
    /// the cluster's addresses are <c>akka.ssl.tcp://</c>; every member must use TLS. <b>Default:</b> none (plain TCP).
    /// </summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>Password of <see cref="TlsCertificatePath"/>. <b>Default:</b> none.</summary>
    public string? TlsCertificatePassword { get; set; }

    /// <summary>Certificate (PEM or DER) of the CA a peer's certificate must chain to. <b>Default:</b> none: any CA this machine trusts.</summary>
    public string? TlsCaCertificatePath { get; set; }

    /// <summary>Mutual TLS for Akka.Remote, or null when off.</summary>
    internal RemotingTlsSettings? RemotingTls => RemotingTlsSettings.Create(TlsCertificatePath, TlsCertificatePassword, TlsCaCertificatePath);

    /// <summary>The address Akka.Remote binds.</summary>
    public string BindHostname => Hostname ?? ClusterAddresses.DefaultBindHostname(PublicHostname);

    /// <summary>The web server's address (valid once <see cref="Validate"/> passed).</summary>
    internal HttpAddress Http => Server.Web.HttpAddress.TryParse(HttpAddress, out var address, out _)
        ? address
        : throw new InvalidOperationException($"Lighthouse:HttpAddress '{HttpAddress}' is invalid.");

    /// <summary>Who may use the admin endpoint (valid once <see cref="Validate"/> passed).</summary>
    internal AdminAccess AdminAccess => AdminAccess.Resolve(Http, AdminToken, RequireAdminToken, Section.Describe(nameof(AdminToken)),
        [.. AdminHostNames, System.Net.Dns.GetHostName(), PublicHostname]);

    internal SplitBrainResolverSettings SplitBrain =>
        SplitBrainResolverSettings.Create(SplitBrainResolver, SplitBrainStableAfter, SplitBrainQuorumSize, SplitBrainRole ?? DefaultSplitBrainRole);

    /// <summary>The first invalid setting, as one line naming it and what is allowed; null when all are valid.</summary>
    public string? Validate()
    {
        if (!SystemNamePattern().IsMatch(ActorSystemName))
            return Section.Invalid(nameof(ActorSystemName), ActorSystemName, "use letters, digits, '-' and '_', starting with a letter or digit");
        if (string.IsNullOrWhiteSpace(PublicHostname) || ClusterAddresses.IsUnspecified(PublicHostname))
            return Section.Invalid(nameof(PublicHostname), PublicHostname, "must be a host name or address the other members can reach");
        if (Hostname is { } host && string.IsNullOrWhiteSpace(host))
            return Section.Invalid(nameof(Hostname), host, "must not be blank");
        if (Port is < 0 or > 65535)
            return Section.Invalid(nameof(Port), Port, "must be between 0 and 65535 (0 picks a free port)");
        if (RemotingTlsSettings.Validate(TlsCertificatePath, TlsCertificatePassword, TlsCaCertificatePath) is var (tlsSetting, tlsValue, tlsRule))
            return Section.Invalid(tlsSetting, tlsValue, tlsRule);
        for (var i = 0; i < SeedNodes.Length; i++)
        {
            if (ClusterAddresses.ValidateSeedNode(SeedNodes[i], ActorSystemName, tls: TlsCertificatePath is not null) is { } seedError)
                return Section.Invalid($"{nameof(SeedNodes)}:{i}", SeedNodes[i], seedError);
        }
        if (!Server.Web.HttpAddress.TryParse(HttpAddress, out _, out var httpError))
            return Section.Invalid(nameof(HttpAddress), HttpAddress, httpError);
        for (var i = 0; i < AdminHostNames.Length; i++)
        {
            if (Uri.CheckHostName(AdminHostNames[i]) != UriHostNameType.Dns)
                return Section.Invalid($"{nameof(AdminHostNames)}:{i}", AdminHostNames[i], "must be a DNS host name without port (e.g. broker-http); IP addresses are allowed anyway");
        }
        if (AdminAccess.ValidateToken(AdminToken) is { } tokenError)
            return Section.Invalid(nameof(AdminToken), "(not shown)", tokenError);
        if (RequireAdminToken && AdminToken is null)
            return Section.Invalid(nameof(RequireAdminToken), true, $"needs Lighthouse:{nameof(AdminToken)} ({Section.EnvironmentName(nameof(AdminToken))})");
        if (SplitBrainResolverSettings.Validate(SplitBrainResolver, SplitBrainStableAfter, SplitBrainQuorumSize, SplitBrainRole) is var (setting, value, rule))
            return Section.Invalid(setting, value, rule);
        // Last: a setting that is wrong in itself is named first, before the rule about the whole.
        if (PlaintextRemoting.Validate(BindHostname, TlsCertificatePath is not null, AllowPlaintextRemoting, SectionName) is { } plaintext)
            return Section.Invalid(nameof(TlsCertificatePath), TlsCertificatePath, plaintext);
        return null;
    }

    /// <summary>The first port this lighthouse would bind that another program holds, as one line; null when both are free.</summary>
    internal string? PortInUse() =>
        PortCheck.InUse("remoting", BindHostname, Port, Section.Describe(nameof(Port)))
        ?? PortCheck.InUse("web server", Http.Ip.ToString(), Http.Port, Section.Describe(nameof(HttpAddress)));

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_-]*$")]
    private static partial Regex SystemNamePattern();
}
