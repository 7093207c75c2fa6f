using Akka.Actor;

namespace ActorPubSub.Node;

/// <summary>
/// The exit code the node chose for itself, when it stopped on its own for a reason its supervisor (Kubernetes, systemd)
/// should tell apart from a crash or a downing.
/// </summary>
public sealed class NodeExit
{
    /// <summary>
    /// The node left the cluster because its journal (the database) failed for <c>Node:JournalOutageLeaveAfter</c> while
    /// other brokers reached it. Restart it: on start it waits for the journal before it joins the cluster again.
    /// </summary>
    public const int JournalUnreachable = 3;

    /// <summary>
    /// The node was refused by the cluster it joined (a standalone node on SQLite, which takes no other broker): a setting
    /// to fix, like a bad one at start-up. Restarting it unchanged is refused again.
    /// </summary>
    public const int Refused = 2;

    private int _code;   // 0: none chosen

    /// <summary>The code to exit with, or null for the host's own (0, or non-zero after a downing).</summary>
    public int? Code => Volatile.Read(ref _code) is var code and not 0 ? code : null;

    internal void Set(int code) => Volatile.Write(ref _code, code);
}

/// <summary>The CoordinatedShutdown reason of a broker that gives its topics away because it cannot reach its journal.</summary>
internal sealed class JournalUnreachableReason : CoordinatedShutdown.Reason
{
    public static readonly JournalUnreachableReason Instance = new();

    private JournalUnreachableReason() { }

    public override int ExitCode => NodeExit.JournalUnreachable;

    public override string ToString() => "the journal is unreachable from this broker only";
}

/// <summary>The CoordinatedShutdown reason of a broker that the cluster it joined refused (<see cref="NodeExit.Refused"/>).</summary>
internal sealed class JoinRefusedReason(string why) : CoordinatedShutdown.Reason
{
    public override int ExitCode => NodeExit.Refused;

    public override string ToString() => $"refused by the cluster it joined: {why}";
}
