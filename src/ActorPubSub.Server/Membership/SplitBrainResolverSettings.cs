using System.Globalization;

namespace ActorPubSub.Server.Membership;

/// <summary>
/// The Split Brain Resolver: what a member does when others become unreachable. Every member of a cluster (lighthouse,
/// broker nodes, clients) must use the same strategy, or two sides of a partition may both stay up.
/// </summary>
/// <remarks>
/// Strategies (Akka.NET's <c>akka.cluster.split-brain-resolver</c>):
/// <list type="bullet">
/// <item><c>keep-majority</c> (default): the side with more than half of the members stays up, the other downs itself;
/// with equal halves, the side with the lowest address stays.</item>
/// <item><c>keep-oldest</c>: the side with the oldest member stays (the oldest downs itself when it is alone).</item>
/// <item><c>static-quorum</c>: a side with at least <c>quorum-size</c> members stays; never run more than
/// 2 × quorum-size − 1 members.</item>
/// <item><c>down-all</c>: every member downs itself on a partition (for clusters that are restarted as a whole).</item>
/// <item><c>off</c>: unreachable members are never downed automatically; an operator downs them.</item>
/// </list>
/// <para>
/// <c>Role</c>: the resolver counts only the members with this role (each strategy's <c>role</c> setting), by default the
/// broker nodes' role. Clients that join the cluster and the lighthouses do not count: a partition that leaves one broker
/// with most of the clients must not outvote two brokers, and the side that keeps the brokers keeps the topics. Members
/// without the role are downed with the side they are on. A cluster with no member of the role at all downs itself on a
/// partition (Akka's rule), so the role must be the one the brokers carry.
/// </para>
/// </remarks>
internal sealed record SplitBrainResolverSettings(string Strategy, TimeSpan StableAfter, int? QuorumSize, string Role = SplitBrainResolverSettings.DefaultRole)
{
    /// <summary>The broker nodes' role (the node's <c>Role</c> default): the members the resolver counts unless configured.</summary>
    public const string DefaultRole = "actorpubsub";

    /// <summary>The strategies whose decision can be limited to a role (Akka's <c>&lt;strategy&gt;.role</c>); down-all has none.</summary>
    public static IReadOnlyList<string> StrategiesWithRole { get; } = [KeepMajority, KeepOldest, StaticQuorum, "lease-majority"];

    public const string KeepMajority = "keep-majority";
    public const string KeepOldest = "keep-oldest";
    public const string StaticQuorum = "static-quorum";
    public const string DownAll = "down-all";
    public const string Off = "off";

    /// <summary>The strategies, first the default.</summary>
    public static IReadOnlyList<string> Strategies { get; } = [KeepMajority, KeepOldest, StaticQuorum, DownAll, Off];

    /// <summary>
    /// The cluster must have been stable this long before the resolver decides. Akka.NET's 20 s suits clusters of about
    /// 100 members (Akka's own table gives 7 s for 5 members); a lighthouse and a few brokers decide safely in 5 s, once
    /// the failure detector (3 s of missed heartbeats) has spoken, and it is what lets a crashed broker's topics serve
    /// again within 20 s (docs/guarantees.md, "Recovery timings": measured 14-16 s).
    /// </summary>
    public static readonly TimeSpan DefaultStableAfter = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the survivors wait, after removing a downed member, before they start its shard coordinator, shards and
    /// singletons elsewhere (<c>akka.cluster.down-removal-margin</c>; with the resolver it would otherwise be stable-after
    /// again, and the coordinator's move alone took 20 + 20 s). The downed side decides on its own stable-after timer,
    /// started by the same missed heartbeats, and stops its shards by the time the survivors have downed and removed it:
    /// the margin only covers the skew between the two sides' failure detectors (about a heartbeat or two). A topic's
    /// late write from the downed side cannot overwrite anything: the journal's unique (persistence id, sequence number)
    /// key refuses the second writer of a sequence number (docs/guarantees.md, "Fencing").
    /// </summary>
    public static readonly TimeSpan DownRemovalMargin = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Why the settings are invalid, as (setting, value, rule), or null. <paramref name="strategy"/> null is the default.
    /// </summary>
    public static (string Setting, object? Value, string Rule)? Validate(string? strategy, TimeSpan? stableAfter, int? quorumSize, string? role = null)
    {
        if (role is not null && (string.IsNullOrWhiteSpace(role) || role.Any(c => char.IsWhiteSpace(c) || c is '"' or '\\' or '$' or '{' or '}')))
            return ("SplitBrainRole", role, $"must be a cluster role name (no blanks, quotes or braces); leave it unset for the broker role {DefaultRole}");
        var name = strategy ?? KeepMajority;
        if (!Strategies.Contains(name))
            return ("SplitBrainResolver", strategy, $"must be one of {string.Join(", ", Strategies)}");
        if (stableAfter is { } s && (s < TimeSpan.FromSeconds(1) || s > TimeSpan.FromHours(1)))
            return ("SplitBrainStableAfter", s, "must be between 00:00:01 and 01:00:00");
        if (name == StaticQuorum && quorumSize is null)
            return ("SplitBrainQuorumSize", null, "is required by static-quorum: the least number of members a side needs to stay up");
        if (quorumSize is < 1)
            return ("SplitBrainQuorumSize", quorumSize, "must be at least 1");
        if (quorumSize is not null && name != StaticQuorum)
            return ("SplitBrainQuorumSize", quorumSize, $"is used by static-quorum only, but the strategy is {name}");
        return null;
    }

    public static SplitBrainResolverSettings Create(string? strategy, TimeSpan? stableAfter, int? quorumSize, string? role = null) =>
        new(strategy ?? KeepMajority, stableAfter ?? DefaultStableAfter, quorumSize, role ?? DefaultRole);

    /// <summary>The HOCON that turns the resolver on with this strategy, or off.</summary>
    public string ToHocon()
    {
        if (Strategy == Off) return "akka.cluster.downing-provider-class = \"\"\n";
        var hocon = "akka.cluster.downing-provider-class = \"Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster\"\n"
                    + $"akka.cluster.split-brain-resolver.active-strategy = {Strategy}\n"
                    + $"akka.cluster.split-brain-resolver.stable-after = {(long)StableAfter.TotalMilliseconds}ms\n"
                    + $"akka.cluster.down-removal-margin = {(long)Math.Min(DownRemovalMargin.TotalMilliseconds, StableAfter.TotalMilliseconds)}ms\n";
        // Every strategy that takes a role gets it, so the active one does whichever it is.
        foreach (var strategy in StrategiesWithRole)
            hocon += $"akka.cluster.split-brain-resolver.{strategy}.role = \"{Role}\"\n";
        if (QuorumSize is { } size)
            hocon += $"akka.cluster.split-brain-resolver.static-quorum.quorum-size = {size.ToString(CultureInfo.InvariantCulture)}\n";
        return hocon;
    }

    /// <summary>For the start-up log: <c>keep-majority (stable after 5 s)</c>.</summary>
    public override string ToString() => Strategy switch
    {
        Off => "off (unreachable members are downed by an operator)",
        StaticQuorum => $"static-quorum of {QuorumSize} members of role {Role} (stable after {StableAfter.TotalSeconds:0} s)",
        DownAll => $"{Strategy} (stable after {StableAfter.TotalSeconds:0} s)",
        _ => $"{Strategy} counting role {Role} (stable after {StableAfter.TotalSeconds:0} s)",
    };
}
