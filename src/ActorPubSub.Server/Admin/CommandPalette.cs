namespace ActorPubSub.Server.Admin;

/// <summary>A named group of admin commands (<c>cluster</c>, <c>sharding</c>, <c>actor</c>, <c>pubsub</c>).</summary>
internal sealed record CommandPalette(string Name, string Description, IReadOnlyList<AdminCommand> Commands)
{
    /// <summary>The command named <paramref name="name"/>, by its words (<c>dlq list</c>) or its URL path (<c>dlq/list</c>).</summary>
    public AdminCommand? Find(string name)
    {
        var words = name.Trim('/').Replace('/', ' ');
        return Commands.FirstOrDefault(c => string.Equals(c.Name, words, StringComparison.OrdinalIgnoreCase));
    }
}
