using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Hosting;

/// <summary>How SQLite makes a commit durable (the journal always runs in WAL mode).</summary>
public enum SqliteSynchronous
{
    /// <summary>
    /// Every commit fsyncs the WAL before it returns: a confirmed publish survives a process crash (kill -9)
    /// and an OS crash or power loss. The default.
    /// </summary>
    Full = 0,

    /// <summary>
    /// Commits are written to the WAL without fsync; the WAL is fsynced at checkpoints. A confirmed publish
    /// survives a process crash (kill -9) but the last commits before an OS crash or power loss may be lost.
    /// </summary>
    Normal = 1,
}
