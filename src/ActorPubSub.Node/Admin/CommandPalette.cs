namespace ActorPubSub.Node.Admin;

/// <summary>A named group of admin commands (<c>cluster</c>, <c>sharding</c>, <c>actor</c>, <c>pubsub</c>). Shared source.</summary>
internal sealed record CommandPalette(string Name, string Description, IReadOnlyList<AdminCommand> Commands)
{
    public AdminCommand? Find(string path) =>
        Commands.FirstOrDefault(c => string.Equals(c.Path, path.Trim('/'), StringComparison.OrdinalIgnoreCase));
}
