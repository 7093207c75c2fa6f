using System.Collections.Concurrent;
using System.Diagnostics;
using ActorPubSub.Client;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Bench.Workloads;

/// <summary>Publishes with at most <c>window</c> publishes awaiting their receipt (the peers' --window).</summary>
internal static class Publisher
{
    /// <summary>
    /// What a publish run got back: the publishes confirmed, those the topics refused (by code) and those without
    /// an answer within the publish timeout (both only when refusals were tolerated), and when the last receipt
    /// came, as a <see cref="Stopwatch"/> timestamp (0 when none did).
    /// </summary>
    public sealed record Outcome(long Confirmed, IReadOnlyDictionary<RejectionCode, long> Refused, long TimedOut, long LastReceiptTimestamp)
    {
        public long RefusedTotal => Refused.Values.Sum();
    }

    /// <param name="tolerateRefusals">
    /// Count publishes the topic refused (<see cref="PubSubRejectedException"/>, e.g. TopicFull) and those left
    /// without an answer (<see cref="TimeoutException"/>) instead of failing the run; any other failure still fails
    /// it. The window stays full after a refusal, as a publisher's would.
    /// </param>
    /// <param name="payloadOf">Makes the payload of a size and message number (default <see cref="Payloads.Create"/>).</param>
    public static async Task<Outcome> PublishAsync(IPubSub pubsub, Func<long, string> topicOf, long count, int size, int window,
        Progress? progress, bool tolerateRefusals = false, Func<int, long, byte[]>? payloadOf = null)
    {
        payloadOf ??= Payloads.Create;
        using var gate = new SemaphoreSlim(window);
        var failures = 0;
        var confirmed = 0L;
        var timedOut = 0L;
        var lastReceipt = 0L;
        var refused = new ConcurrentDictionary<RejectionCode, long>();
        for (long i = 0; i < count; i++)
        {
            await gate.WaitAsync();
            // Each publish gets its own array: a shared one is stored once in-process.
            var task = pubsub.PublishAsync(topicOf(i), payloadOf(size, i));
            _ = task.ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    Interlocked.Increment(ref confirmed);
                    Interlocked.Exchange(ref lastReceipt, Stopwatch.GetTimestamp());
                }
                else if (tolerateRefusals && t.Exception?.InnerException is PubSubRejectedException rejected)
                {
                    refused.AddOrUpdate(rejected.Code, 1, (_, n) => n + 1);
                }
                else if (tolerateRefusals && t.Exception?.InnerException is TimeoutException)
                {
                    Interlocked.Increment(ref timedOut);
                }
                else Interlocked.Increment(ref failures);
                gate.Release();
                progress?.Add(1);
            }, TaskContinuationOptions.ExecuteSynchronously);
        }
        for (var i = 0; i < window; i++) await gate.WaitAsync();   // every receipt is in
        if (failures > 0) throw new InvalidOperationException($"{failures} publishes failed.");
        return new Outcome(Interlocked.Read(ref confirmed), refused, Interlocked.Read(ref timedOut), Interlocked.Read(ref lastReceipt));
    }
}
