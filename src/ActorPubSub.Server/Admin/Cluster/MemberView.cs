using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Akka.Cluster;

namespace ActorPubSub.Server.Admin.Cluster;

/// <summary>
/// A cluster member as operators of Akka.NET clusters know it from Petabridge.Cmd's <c>cluster show</c>:
/// <c>address | [roles] | status | reachability | version</c>.
/// </summary>
internal static class MemberView
{
    public static string Line(Member member, bool reachable) =>
        $"{member.Address} | [{string.Join(", ", Roles(member))}] | {Status(member.Status)} | {Reachability(reachable)} | {member.AppVersion}";

    public static JsonObject Json(Member member, bool reachable) => new()
    {
        ["address"] = member.Address.ToString(),
        ["roles"] = new JsonArray([.. Roles(member).Select(r => (JsonNode?)JsonValue.Create(r))]),
        ["status"] = Status(member.Status),
        ["reachability"] = Reachability(reachable),
        ["version"] = member.AppVersion.ToString(),
    };

    /// <summary><c>up</c>, <c>joining</c>, <c>weaklyup</c>, <c>leaving</c>, <c>exiting</c>, <c>down</c>, <c>removed</c>.</summary>
    public static string Status(MemberStatus status) => status.ToString().ToLowerInvariant();

    public static string Reachability(bool reachable) => reachable ? "reachable" : "unreachable";

    // The data-center marker is an internal role, not one an operator gave.
    private static IEnumerable<string> Roles(Member member) =>
        member.Roles.Where(r => !r.StartsWith("dc-", StringComparison.Ordinal)).Order(StringComparer.Ordinal);

    public static bool IsReachable(ClusterEvent.CurrentClusterState state, Member member) =>
        !state.Unreachable.Contains(member);

    /// <summary>Members sorted by address (the order Akka keeps them in), unreachable ones included.</summary>
    public static ImmutableList<Member> All(ClusterEvent.CurrentClusterState state) =>
        [.. state.Members.Union(state.Unreachable).OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)];
}
