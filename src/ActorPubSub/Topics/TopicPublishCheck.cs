using Akka.Actor;

namespace ActorPubSub.Topics;

/// <summary>
/// A check a layer above the topics (the catalogue's contracts) hands the topics, so every publish passes it at its topic
/// before it is numbered, whoever sent it: a member client, a ClusterClient, an older client or a program speaking the
/// topic protocol itself. The topics know only this interface.
/// </summary>
internal interface IPublishCheck
{
    /// <summary>
    /// Null when <paramref name="publish"/> may be stored (the check may replace it, e.g. with a header added); otherwise
    /// why it is refused (<see cref="RejectionCode.ContractViolation"/>).
    /// </summary>
    string? Refusal(string topic, ref Publish publish);
}

/// <summary>
/// The ActorSystem's <see cref="IPublishCheck"/>, installed once at start (by the catalogue's hosting); none by default,
/// and then a publish reads one field and nothing more.
/// </summary>
internal sealed class TopicPublishCheck : IExtension
{
    private volatile IPublishCheck? _current;

    /// <summary>The check every topic of this system applies (null: none).</summary>
    public IPublishCheck? Current => _current;

    /// <summary>The extension of <paramref name="system"/>.</summary>
    public static TopicPublishCheck For(ActorSystem system) => system.WithExtension<TopicPublishCheck, TopicPublishCheckProvider>();

    /// <summary>Sets the check every topic of this system applies from its next publish on.</summary>
    public void Install(IPublishCheck check) => _current = check ?? throw new ArgumentNullException(nameof(check));
}

/// <summary>Creates the one <see cref="TopicPublishCheck"/> of an ActorSystem.</summary>
internal sealed class TopicPublishCheckProvider : ExtensionIdProvider<TopicPublishCheck>
{
    public override TopicPublishCheck CreateExtension(ExtendedActorSystem system) => new();
}
