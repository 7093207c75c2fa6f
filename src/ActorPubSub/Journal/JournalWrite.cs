namespace ActorPubSub.Journal;

/// <summary>
/// One atomic write queued in <see cref="JournalWriteQueue"/>, in its two stages: <see cref="Written"/> completes when its
/// rows are committed (readable, and they outlive a crash of the process), <see cref="Synced"/> when they are durable
/// (they outlive a crash of the machine). With a store whose commits are durable when they return, both complete together.
/// </summary>
internal readonly record struct JournalWrite(Task Written, Task Synced)
{
    public static JournalWrite Failed(Exception reason)
    {
        var failed = Task.FromException(reason);
        return new JournalWrite(failed, failed);
    }

    public static readonly JournalWrite Done = new(Task.CompletedTask, Task.CompletedTask);
}
