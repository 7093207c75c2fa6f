using System.Collections.Immutable;
using Akka.Actor;

namespace ActorPubSub.Gateway;

/// <summary>
/// The contact points of a client outside the cluster: the receptionists of broker nodes it asks for the cluster's
/// current receptionists when it (re)connects.
/// </summary>
public static class GatewayContacts
{
    /// <summary>The receptionist's path under an address (the Akka.Cluster.Tools default name).</summary>
    public const string ReceptionistPath = "/system/receptionist";

    /// <summary>
    /// The receptionist paths of <paramref name="contactPoints"/>: each an address (<c>akka.tcp://actorpubsub@broker-0:4055</c>,
    /// the receptionist's path is added) or a full receptionist path (<c>akka.tcp://actorpubsub@broker-0:4055/system/receptionist</c>).
    /// Throws <see cref="ArgumentException"/> naming the first contact point that is neither, or when there is none.
    /// </summary>
    public static ImmutableHashSet<ActorPath> Parse(IEnumerable<string>? contactPoints, string optionName)
    {
        var paths = ImmutableHashSet.CreateBuilder<ActorPath>();
        foreach (var contact in contactPoints ?? [])
        {
            var text = contact?.Trim() ?? "";
            if (text.Length > 0 && ActorPath.TryParse(text, out var path) && path.Address.HasGlobalScope)
            {
                // An address alone parses as the root path: the receptionist lives under it.
                paths.Add(path.Elements.Count == 0 ? ActorPath.Parse(path.Address + ReceptionistPath) : path);
                continue;
            }
            throw new ArgumentException(
                $"{optionName} has '{contact}', which is not a remote address: give each broker node's Akka.Remote address, " +
                "e.g. akka.tcp://actorpubsub@broker-0:4055 (its ActorSystem name, host and remoting port), or the full path of " +
                $"its receptionist, e.g. akka.tcp://actorpubsub@broker-0:4055{ReceptionistPath}.");
        }
        if (paths.Count == 0)
            throw new ArgumentException(
                $"{optionName} is empty: give at least one broker node's Akka.Remote address, e.g. akka.tcp://actorpubsub@broker-0:4055.");
        return paths.ToImmutable();
    }
}
