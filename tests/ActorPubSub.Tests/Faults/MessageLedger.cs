using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace ActorPubSub.Tests.Faults;

/// <summary>How one publish ended.</summary>
public enum PublishOutcome
{
    /// <summary>A receipt: the message is persisted and must be delivered.</summary>
    Confirmed,
    /// <summary>The topic refused it (<c>PubSubRejectedException</c>): not stored.</summary>
    Rejected,
    /// <summary>No receipt within the publish timeout: it may or may not be stored.</summary>
    TimedOut,
    /// <summary>Any other exception: recorded with its type, so the report shows it.</summary>
    Failed,
}

/// <param name="Node">The broker that hosted the topic as last seen (<see cref="TopicHostTracker"/>) when the publish ended.</param>
/// <param name="At">Seconds since the ledger started, when the publish ended.</param>
public sealed record PublishRecord(MessageKey Message, PublishOutcome Outcome, long Sequence, string? Error, string Node, double StartedAt, double At);

/// <param name="Node">The broker that hosted the topic as last seen when the delivery arrived.</param>
public sealed record DeliveryRecord(MessageKey Message, long Sequence, int Attempt, string Node, double At);

/// <summary>A fault the test injected (or healed), at seconds since the ledger started.</summary>
public sealed record FaultEvent(string What, double At);

/// <summary>A message of the workload: the <paramref name="Index"/>-th message published with ordering key <paramref name="Key"/>.</summary>
public sealed record MessageKey(string Key, int Index)
{
    /// <summary>The message id and payload: <c>k2/17</c>.</summary>
    public string Id => $"{Key}/{Index.ToString(CultureInfo.InvariantCulture)}";

    public static MessageKey Parse(string id)
    {
        var slash = id.LastIndexOf('/');
        return new MessageKey(id[..slash], int.Parse(id[(slash + 1)..], CultureInfo.InvariantCulture));
    }

    public override string ToString() => Id;
}

/// <summary>
/// Every publish and every delivery of a fault test, with its outcome, the topic's host at the time, and when it
/// happened; plus the faults. Thread-safe; records keep their arrival order (deliveries of one key arrive one at a
/// time, so their order here is their delivery order).
/// </summary>
public sealed class MessageLedger
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<PublishRecord> _publishes = new();
    private readonly ConcurrentQueue<DeliveryRecord> _deliveries = new();
    private readonly ConcurrentQueue<FaultEvent> _faults = new();

    /// <summary>Seconds since the ledger started.</summary>
    public double Now => _clock.Elapsed.TotalSeconds;

    /// <summary>Names the broker hosting the topic right now (set by the workload's tracker).</summary>
    public Func<string> CurrentNode { get; set; } = () => "?";

    public IReadOnlyList<PublishRecord> Publishes => [.. _publishes];
    public IReadOnlyList<DeliveryRecord> Deliveries => [.. _deliveries];
    public IReadOnlyList<FaultEvent> Faults => [.. _faults];

    public int ConfirmedCount => _publishes.Count(p => p.Outcome == PublishOutcome.Confirmed);

    public void Published(MessageKey message, PublishOutcome outcome, long sequence, string? error, double startedAt) =>
        _publishes.Enqueue(new PublishRecord(message, outcome, sequence, error, CurrentNode(), startedAt, Now));

    public void Delivered(MessageKey message, long sequence, int attempt) =>
        _deliveries.Enqueue(new DeliveryRecord(message, sequence, attempt, CurrentNode(), Now));

    /// <summary>Records a fault (or its end) now and returns its time.</summary>
    public double Fault(string what)
    {
        var fault = new FaultEvent(what, Now);
        _faults.Enqueue(fault);
        return fault.At;
    }

    /// <summary>Confirmed publishes that ended after <paramref name="since"/>.</summary>
    public int ConfirmedSince(double since) => _publishes.Count(p => p.Outcome == PublishOutcome.Confirmed && p.At > since);

    /// <summary>
    /// Messages whose publish started after <paramref name="since"/> and that were delivered: new traffic that went the
    /// whole way (a publish started after a fault cannot have been stored or delivered by what the fault took down).
    /// </summary>
    public int DeliveredOfPublishedSince(double since)
    {
        var started = _publishes.Where(p => p.StartedAt > since).Select(p => p.Message).ToHashSet();
        return _deliveries.Where(d => started.Contains(d.Message)).Select(d => d.Message).Distinct().Count();
    }
}
