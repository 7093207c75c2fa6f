namespace ActorPubSub;

/// <summary>What a publish to a topic with a schema does with a payload that fails the topic's current schema.</summary>
public enum ValidationMode
{
    /// <summary>Payloads are not checked (the default: publishing costs nothing more).</summary>
    Off = 0,
    /// <summary>A failing payload is stored, counted (<c>actorpubsub.contract.violations</c>) and logged (rate-limited).</summary>
    Warn = 1,
    /// <summary>A failing payload is refused with <c>RejectionCode.ContractViolation</c> naming the first failing path; nothing is stored.</summary>
    Enforce = 2,
}
