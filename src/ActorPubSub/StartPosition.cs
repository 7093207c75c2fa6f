namespace ActorPubSub;

/// <summary>Where a new subscription starts.</summary>
public enum StartPosition
{
    /// <summary>At the oldest message the topic still retains.</summary>
    Earliest = 0,
    /// <summary>After the newest message: only messages published from now on.</summary>
    Latest = 1,
}
