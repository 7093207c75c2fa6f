namespace ActorPubSub;

/// <summary>Why a publish or command was refused. Only <see cref="TopicFull"/> and <see cref="StorageFailure"/> may succeed on retry.</summary>
public enum RejectionCode
{
    /// <summary>The request itself is invalid (name, size, options); resending it will fail again.</summary>
    Invalid = 1,
    /// <summary>The subscription named does not exist on the topic.</summary>
    UnknownSubscription = 2,
    /// <summary>The topic has never had a message or subscription.</summary>
    UnknownTopic = 3,
    /// <summary>The topic holds as much as its limits allow; retry once consumers caught up.</summary>
    TopicFull = 4,
    /// <summary>The journal refused or failed the write.</summary>
    StorageFailure = 5,
    /// <summary>A subscription with that name exists with other options.</summary>
    Conflict = 6,
    /// <summary>
    /// The topic is live in another cluster on the same database (its host holds a fresh member lease): this cluster's copy
    /// refuses it until that lease lapses. The reason names the other host and what to do.
    /// </summary>
    Fenced = 7,
    /// <summary>The payload fails the topic's current schema (validation enforce); the reason names the first failing path.</summary>
    ContractViolation = 8,
    /// <summary>A schema version breaks the topic's compatibility mode; the reason names the field and the rule.</summary>
    IncompatibleSchema = 9,
}
