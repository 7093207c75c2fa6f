using System.Text.Json.Nodes;
using Akka.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorPubSub.Server.Admin.Cluster;

/// <summary>
/// <c>cluster</c>: membership as this member sees it, and the operations of Akka.Cluster on it (leave, join, down),
/// with the habits of Petabridge.Cmd's cluster palette.
/// </summary>
internal static class ClusterPalette
{
    private static readonly CommandArgument Address = CommandArgument.Positional("address", "a member's address, as cluster show lists it")
        with { ValueName = MemberAddress.Form };

    public static CommandPalette Create() => new("cluster", "cluster membership: show, status, leader, leave, join, down",
    [
        new AdminCommand("show", "every member: address | [roles] | status | reachability | version", []) { Run = ShowAsync },
        new AdminCommand("status", "this member: its address, status and roles, the leader, and the members' count", []) { Run = StatusAsync },
        new AdminCommand("leader", "the cluster leader and the leader of each role", []) { Run = LeaderAsync },
        new AdminCommand("leave", "makes a member leave gracefully (this one by default): it hands off its shards and stops",
            [Address with { Required = false, Description = "the member to leave; default: this one" }]) { Run = LeaveAsync },
        new AdminCommand("join", "makes this member join the cluster of the member at the address (a member joins one cluster, once)",
            [Address with { Description = "a member of the cluster to join (a seed node)" }]) { Run = JoinAsync },
        new AdminCommand("down", "marks a member down (for a member that is gone for good: it is removed without leaving)",
            [Address with { Description = "the member to down" }]) { Run = DownAsync },
        new AdminCommand("down-unreachable", "marks every unreachable member down", []) { Run = DownUnreachableAsync },
    ]);

    private static Task<CommandResult> ShowAsync(AdminContext context, CommandArgs args)
    {
        var state = Akka.Cluster.Cluster.Get(context.System).State;
        var members = MemberView.All(state);
        var lines = members.Select(m => MemberView.Line(m, MemberView.IsReachable(state, m))).ToList();
        lines.Add($"Count: {members.Count} {(members.Count == 1 ? "node" : "nodes")}");
        var data = new JsonObject
        {
            ["members"] = new JsonArray([.. members.Select(m => (JsonNode?)MemberView.Json(m, MemberView.IsReachable(state, m)))]),
            ["count"] = members.Count,
        };
        return Task.FromResult(CommandResult.Lines(data, lines));
    }

    private static Task<CommandResult> StatusAsync(AdminContext context, CommandArgs args)
    {
        var cluster = Akka.Cluster.Cluster.Get(context.System);
        var state = cluster.State;
        var self = cluster.SelfMember;
        var members = MemberView.All(state);
        var up = members.Count(m => m.Status == MemberStatus.Up);
        var data = new JsonObject
        {
            ["address"] = cluster.SelfAddress.ToString(),
            ["status"] = MemberView.Status(self.Status),
            ["roles"] = new JsonArray([.. cluster.SelfRoles.Order(StringComparer.Ordinal).Select(r => (JsonNode?)JsonValue.Create(r))]),
            ["leader"] = state.Leader?.ToString(),
            ["members"] = members.Count,
            ["up"] = up,
            ["unreachable"] = state.Unreachable.Count,
            ["seenBy"] = state.SeenBy.Count,
        };
        return Task.FromResult(CommandResult.Lines(data,
            $"Address: {cluster.SelfAddress}",
            $"Status: {MemberView.Status(self.Status)}",
            $"Roles: [{string.Join(", ", cluster.SelfRoles.Order(StringComparer.Ordinal))}]",
            $"Leader: {state.Leader?.ToString() ?? "none"}",
            $"Members: {members.Count} (up {up}, unreachable {state.Unreachable.Count})",
            $"Seen by: {state.SeenBy.Count} of {members.Count}"));
    }

    private static Task<CommandResult> LeaderAsync(AdminContext context, CommandArgs args)
    {
        var state = Akka.Cluster.Cluster.Get(context.System).State;
        var roles = state.AllRoles.Where(r => !r.StartsWith("dc-", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var roleLeaders = new JsonObject();
        var lines = new List<string> { state.Leader?.ToString() ?? "no leader (the cluster has no Up member this one can reach)" };
        foreach (var role in roles)
        {
            var leader = state.RoleLeader(role);
            roleLeaders[role] = leader?.ToString();
            lines.Add($"{role}: {leader?.ToString() ?? "none"}");
        }
        return Task.FromResult(CommandResult.Lines(new JsonObject { ["leader"] = state.Leader?.ToString(), ["roleLeaders"] = roleLeaders }, lines));
    }

    private static Task<CommandResult> LeaveAsync(AdminContext context, CommandArgs args)
    {
        var cluster = Akka.Cluster.Cluster.Get(context.System);
        var address = args.String("address") is null ? cluster.SelfAddress : MemberAddress.Parse(args, "address");
        var member = MemberAddress.Member(cluster, address);
        var self = member.Address.Equals(cluster.SelfAddress);
        // This node: stop the host, as SIGTERM does. Its CoordinatedShutdown leaves the cluster (shards handed off first)
        // and the process exits 0; a bare Cluster.Leave would end it too, but as "removed without being asked to stop"
        // (exit code 255). Kestrel still sends this answer: it drains running requests before it stops.
        if (self && context.Services.GetService<IHostApplicationLifetime>() is { } host) host.StopApplication();
        else cluster.Leave(member.Address);
        return Task.FromResult(CommandResult.Lines(
            new JsonObject { ["address"] = member.Address.ToString(), ["self"] = self, ["previousStatus"] = MemberView.Status(member.Status) },
            $"Leaving: {member.Address} (was {MemberView.Status(member.Status)})"
            + (self ? "; this node hands off its shards, leaves and stops, as on SIGTERM" : "")));
    }

    private static Task<CommandResult> JoinAsync(AdminContext context, CommandArgs args)
    {
        var cluster = Akka.Cluster.Cluster.Get(context.System);
        var address = MemberAddress.Parse(args, "address");
        var state = cluster.State;
        // Akka ignores a join of a member that already belongs to a cluster; say so instead of pretending it worked.
        if (state.Members.Any(m => m.Address.Equals(cluster.SelfAddress)))
            throw AdminException.Conflict(
                $"this node is already a member of a cluster ({state.Members.Count} {(state.Members.Count == 1 ? "member" : "members")}, status {MemberView.Status(cluster.SelfMember.Status)}); a member joins one cluster, once: leave it and restart the node to join another");
        cluster.Join(address);
        return Task.FromResult(CommandResult.Lines(new JsonObject { ["address"] = address.ToString() },
            $"Joining: {address} (cluster status shows when this node is Up)"));
    }

    private static Task<CommandResult> DownAsync(AdminContext context, CommandArgs args)
    {
        var cluster = Akka.Cluster.Cluster.Get(context.System);
        var member = MemberAddress.Member(cluster, MemberAddress.Parse(args, "address"));
        cluster.Down(member.Address);
        return Task.FromResult(CommandResult.Lines(
            new JsonObject { ["address"] = member.Address.ToString(), ["previousStatus"] = MemberView.Status(member.Status) },
            $"Downing: {member.Address} (was {MemberView.Status(member.Status)})"));
    }

    private static Task<CommandResult> DownUnreachableAsync(AdminContext context, CommandArgs args)
    {
        var cluster = Akka.Cluster.Cluster.Get(context.System);
        var unreachable = cluster.State.Unreachable.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).ToList();
        foreach (var member in unreachable) cluster.Down(member.Address);
        var data = new JsonObject { ["downed"] = new JsonArray([.. unreachable.Select(m => (JsonNode?)JsonValue.Create(m.Address.ToString()))]) };
        return Task.FromResult(unreachable.Count == 0
            ? CommandResult.Lines(data, "No unreachable members.")
            : CommandResult.Lines(data, [.. unreachable.Select(m => $"Downing: {m.Address}"), $"Count: {unreachable.Count} downed"]));
    }
}
