namespace ActorPubSub.Catalog;

/// <summary>
/// The ActorRegistry key of the catalogue: on a topic node the cluster singleton's proxy, on a member client the proxy
/// alone. Ask it the catalogue's protocol (<see cref="RegisterSchema"/>, <see cref="GetContract"/>, ...).
/// </summary>
public sealed class CatalogSingleton
{
    /// <summary>The singleton's name (and its manager's).</summary>
    public const string Name = "actorpubsub-catalog";

    private CatalogSingleton() { }
}
