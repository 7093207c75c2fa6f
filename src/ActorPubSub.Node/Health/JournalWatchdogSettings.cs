namespace ActorPubSub.Node.Health;

/// <summary>The journal watchdog's timings and the role of the brokers it asks.</summary>
/// <param name="LeaveAfter">How long the journal's queries must fail before the broker asks the others and leaves.</param>
/// <param name="Interval">How often the journal is queried.</param>
/// <param name="ProbeTimeout">A query (and a question to another broker) without an answer within this fails.</param>
/// <param name="Role">The brokers' cluster role.</param>
internal sealed record JournalWatchdogSettings(TimeSpan LeaveAfter, TimeSpan Interval, TimeSpan ProbeTimeout, string Role);
