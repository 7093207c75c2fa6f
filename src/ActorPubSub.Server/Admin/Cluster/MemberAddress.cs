using Akka.Actor;
using Akka.Cluster;

namespace ActorPubSub.Server.Admin.Cluster;

/// <summary>Parses the address argument of the cluster commands and finds the member it names.</summary>
internal static class MemberAddress
{
    public const string Form = "akka.tcp://system@host:port";

    /// <summary>The address given as <paramref name="argument"/>; a 400 naming the argument when it is not one.</summary>
    public static Address Parse(CommandArgs args, string argument)
    {
        var text = args.RequiredString(argument);
        if (!Address.TryParse(text, out var address, out var path) || address.Host is null || address.Port is null
            || path is not (null or "" or "/"))
            throw args.Invalid(argument, $"must be a member address like {Form} (as cluster show lists them), not '{text}'");
        return address;
    }

    /// <summary>The member with <paramref name="address"/> (reachable or not); a 404 listing the members when none.</summary>
    public static Member Member(Akka.Cluster.Cluster cluster, Address address)
    {
        var state = cluster.State;
        return MemberView.All(state).FirstOrDefault(m => m.Address.Equals(address))
               ?? throw AdminException.NotFound(
                   $"{address} is not a member of the cluster; the members are {string.Join(", ", MemberView.All(state).Select(m => m.Address))}");
    }
}
