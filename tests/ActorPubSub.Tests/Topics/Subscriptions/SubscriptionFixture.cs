using System.Collections.Immutable;
using Akka.Actor;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Log;
using ActorPubSub.Tests.Topics.Log;
using ActorPubSub.Topics.Subscriptions;
using FailOutcome = ActorPubSub.Topics.Subscriptions.SubscriptionState.FailOutcome;

namespace ActorPubSub.Tests.Topics.Subscriptions;

/// <summary>
/// What the subscription-state specs share: one log per test (xunit makes a class instance per test) that the
/// subscription reads, the events it emits, and an explicit clock (monotonic milliseconds; the UTC clock is
/// <see cref="At"/> plus the same milliseconds unless a test says otherwise). No actor system: consumer
/// references are stand-ins.
/// </summary>
public abstract class SubscriptionFixture
{
    protected static readonly DateTime At = new(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    protected const int DeadlineMs = 1000;

    private protected sealed record Sent(ConsumerState Consumer, long[] Sequences, int[] Attempts);

    private protected readonly MessageLog _log = TestLogs.New();
    protected readonly List<ITopicEvent> _events = [];
    private int _probes;

    private protected SubscriptionState Subscription(long watermark = 0, int maxDeliveryAttempts = 1000, bool orderedByKey = false,
        Func<IReadOnlyDictionary<string, string>?, bool>? filter = null) =>
        new("billing", watermark, Config(maxDeliveryAttempts, orderedByKey), _log, filter);

    private protected static SubscriptionConfig Config(int maxDeliveryAttempts = 1000, bool orderedByKey = false) =>
        new(TimeSpan.FromMilliseconds(DeadlineMs), maxDeliveryAttempts,
            new RetryBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), 2), orderedByKey, null, Guid.Empty);

    /// <summary>A distinct consumer reference.</summary>
    protected IActorRef Probe() => new StandInRef($"consumer-{++_probes}");

    private protected FailOutcome Nack(SubscriptionState sub, long sequence, long delayMs, long now, bool unprocessable = false,
        string error = "boom") =>
        sub.Fail(sequence, error, TimeSpan.FromMilliseconds(delayMs), unprocessable, now, At.AddMilliseconds(now), _events.Add);

    /// <summary>A failure without a delay of its own: the subscription's backoff decides.</summary>
    private protected FailOutcome FailWithBackoff(SubscriptionState sub, long sequence, long now) =>
        sub.Fail(sequence, "boom", null, unprocessable: false, now, At.AddMilliseconds(now), _events.Add);

    private protected void Tick(SubscriptionState sub, long now) => sub.Tick(now, At.AddMilliseconds(now), _events.Add);

    // `log` names the messages a test set up; the subscription reads them from the log it was created with (_log).
    private protected static List<Sent> Pump(SubscriptionState sub, MessageLog log, long lastPersisted, long now,
        int maxBatch = 100, int maxBatchBytes = int.MaxValue)
    {
        _ = log;
        var sent = new List<Sent>();
        sub.Pump(lastPersisted, now, maxBatch, maxBatchBytes,
            (consumer, messages, attempts) => sent.Add(new Sent(consumer, [.. messages.Select(m => m.Sequence)], [.. attempts])));
        return sent;
    }

    private protected static long[] Delivered(List<Sent> sent) => [.. sent.SelectMany(s => s.Sequences).Order()];

    private protected MessageLog LogOf(int count, int size = 10, Func<long, string?>? key = null)
    {
        for (var seq = _log.LastSequence + 1; seq <= count; seq++) _log.Append(Message(seq, size) with { Key = key?.Invoke(seq) });
        return _log;
    }

    protected static string AOrB(long sequence) => sequence % 2 == 1 ? "a" : "b";

    protected static ImmutableDictionary<string, string> Headers(string name, string value) =>
        ImmutableDictionary<string, string>.Empty.Add(name, value);

    protected static DeadLetterTransfer Transfer(long id, long sequence) =>
        new(id, sequence, 5, At, At.AddSeconds(1), "boom", DeadLetterReason.MaxDeliveryAttempts);

    protected static TopicMessage Message(long sequence, int size = 10) =>
        new(sequence, At, new Payload(1, "", new byte[size]), null, null, null);
}
