using ActorPubSub.Messages;
using ActorPubSub.Topics.Log;

namespace ActorPubSub.Tests.Topics.Log;

/// <summary>Logs for specs of the topic's parts: no memory budget, one journal event per appended message.</summary>
internal static class TestLogs
{
    public static MessageLog New(long pageBytes = 256 * 1024, long windowBytes = 32 * 1024 * 1024) =>
        new(new LogSettings(pageBytes, windowBytes), memory: null);

    /// <summary>Appends <paramref name="message"/> as if the next journal event wrote it.</summary>
    public static void Append(this MessageLog log, TopicMessage message) =>
        log.Appended((log.Index.Last?.LastJournalSeqNr ?? 0) + 1, [message]);

    /// <summary>The message, which must be in memory.</summary>
    public static TopicMessage Get(this MessageLog log, long sequence) =>
        log.TryGet(sequence, out var message) ? message : throw new InvalidOperationException($"{sequence} is not in memory.");
}
