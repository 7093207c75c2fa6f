namespace ActorPubSub;

/// <summary>
/// What a new schema version of a topic must be compatible with, as the Confluent schema registry defines the modes.
/// Backward: consumers on the new version can read messages written with the previous one. Forward: consumers on the
/// previous version can read messages written with the new one. Full: both. The transitive forms check against every
/// registered version, not only the previous one.
/// </summary>
public enum CompatibilityMode
{
    /// <summary>No check: any schema is accepted as the next version.</summary>
    None = 0,
    /// <summary>The new version reads data of the previous version.</summary>
    Backward = 1,
    /// <summary>The previous version reads data of the new version.</summary>
    Forward = 2,
    /// <summary>Backward and forward against the previous version.</summary>
    Full = 3,
    /// <summary>The new version reads data of every registered version.</summary>
    BackwardTransitive = 4,
    /// <summary>Every registered version reads data of the new version.</summary>
    ForwardTransitive = 5,
    /// <summary>Backward and forward against every registered version.</summary>
    FullTransitive = 6,
}
