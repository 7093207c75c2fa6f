using Akka.Actor;

namespace ActorPubSub.Server.Admin.Actors;

/// <summary>
/// Walks the actor hierarchy of this ActorSystem below a path, depth first, children sorted by name, at most
/// <see cref="MaxActors"/> actors. The start is resolved with ActorSelection + Identify (so a path that names no live
/// actor is a clear 404, bounded by the command's timeout); below it the children are read from each actor's cell,
/// which lists exactly the live children at once. Identify on a wildcard selection would instead need a guess at how
/// long to wait for answers, and would queue a message in every mailbox (10,000 topics) just to be listed.
/// </summary>
internal static class ActorTree
{
    public const int MaxActors = 5000;

    public sealed record Entry(string Path, int Depth);

    public static async Task<IActorRef> ResolveAsync(AdminContext context, string path)
    {
        var identity = await context.AskAsync<ActorIdentity>(context.System.ActorSelection(path), new Identify(path), $"the actor at {path}");
        return identity.Subject ?? throw AdminException.NotFound($"no actor at {path}");
    }

    /// <summary>The actors below <paramref name="root"/> (itself at depth 0) down to <paramref name="maxDepth"/>.</summary>
    public static (List<Entry> Entries, bool Truncated) Walk(IActorRef root, int maxDepth)
    {
        var entries = new List<Entry>();
        var stack = new Stack<(IActorRef Actor, int Depth)>();
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            if (entries.Count >= MaxActors) return (entries, true);
            var (actor, depth) = stack.Pop();
            entries.Add(new Entry(actor.Path.ToStringWithoutAddress(), depth));
            if (depth >= maxDepth || actor is not ActorRefWithCell cell) continue;
            // Pushed in reverse so they pop in name order.
            foreach (var child in cell.Children.OrderByDescending(c => c.Path.Name, StringComparer.Ordinal))
                stack.Push((child, depth + 1));
        }
        return (entries, false);
    }
}
