namespace ActorPubSub.Topics;

/// <summary>
/// What the topic does after a part handled a command, in this order: start the next journal write, trim the
/// log, re-arm the clock, update the gauges, and let a topic that does not exist go.
/// </summary>
[Flags]
internal enum Then
{
    Nothing = 0,
    Write = 1 << 0,
    Trim = 1 << 1,
    Tick = 1 << 2,
    Gauges = 1 << 3,
    PassivateIfUnknown = 1 << 4,
}
