namespace ActorPubSub.Fencing;

/// <summary>The outcome of a topic's claim at its start (<see cref="TopicFencing.ClaimAsync"/>).</summary>
internal abstract record ClaimResult
{
    private ClaimResult() { }

    /// <summary>This member holds the topic now (it was free, ours, a member of this cluster's, or its lease lapsed).</summary>
    public sealed record Granted(string? Previous) : ClaimResult;

    /// <summary>A member of another cluster holds the topic with a fresh lease: this copy must not serve it.</summary>
    public sealed record Fenced(TopicHolder Holder, string Reason) : ClaimResult;

    /// <summary>The database did not answer the claim; the topic cannot start now.</summary>
    public sealed record Failed(string Reason) : ClaimResult;
}
