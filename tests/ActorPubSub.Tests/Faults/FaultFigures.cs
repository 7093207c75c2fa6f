using System.Text;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// The checker of a fault test: what the ledger says about what was confirmed and what was delivered.
/// </summary>
/// <param name="Lost">Confirmed but never delivered: must be 0.</param>
/// <param name="Duplicated">Messages delivered more than once (at least once allows it; counted).</param>
/// <param name="ExtraDeliveries">Deliveries beyond the first, over all messages.</param>
/// <param name="StoredTwice">Messages delivered under two sequence numbers, or under another one than their receipt's: stored twice.</param>
/// <param name="OutOfOrder">First deliveries of a confirmed message after a later confirmed message of its key had been delivered.</param>
/// <param name="Recoveries">For each fault: seconds from it to the first delivery of a message published after it.</param>
/// <param name="LongestConfirmationGap">The longest time without a confirmed publish, in seconds.</param>
public sealed record FaultFigures(
    string Scenario,
    int Published,
    int Confirmed,
    int Rejected,
    int TimedOut,
    int Failed,
    int Delivered,
    int DeliveredUnconfirmed,
    IReadOnlyList<MessageKey> Lost,
    int Duplicated,
    int ExtraDeliveries,
    int StoredTwice,
    int OutOfOrder,
    IReadOnlyList<(FaultEvent Fault, double? Seconds)> Recoveries,
    double LongestConfirmationGap,
    IReadOnlyList<(string Error, int Count)> Errors,
    IReadOnlyList<(string Node, int Confirmed)> ConfirmedByNode,
    string TopicHosts,
    string Membership,
    IReadOnlyList<string> DuplicateDetails)
{
    public static FaultFigures Compute(string scenario, MessageLedger ledger, string topicHosts, string membership)
    {
        var publishes = ledger.Publishes;
        var deliveries = ledger.Deliveries;
        var confirmed = publishes.Where(p => p.Outcome == PublishOutcome.Confirmed).ToDictionary(p => p.Message);
        var started = publishes.ToDictionary(p => p.Message, p => p.StartedAt);
        var byMessage = deliveries.GroupBy(d => d.Message).ToDictionary(g => g.Key, g => g.ToList());

        var storedTwice = byMessage.Count(g =>
            g.Value.Select(d => d.Sequence).Distinct().Count() > 1
            || (confirmed.TryGetValue(g.Key, out var p) && g.Value.All(d => d.Sequence != p.Sequence)));

        // Per key, the first deliveries of confirmed messages must come in publish order.
        var outOfOrder = 0;
        var seen = new HashSet<MessageKey>();
        var highest = new Dictionary<string, int>();
        foreach (var d in deliveries)
        {
            if (!seen.Add(d.Message) || !confirmed.ContainsKey(d.Message)) continue;
            if (highest.TryGetValue(d.Message.Key, out var max) && d.Message.Index < max) outOfOrder++;
            else highest[d.Message.Key] = d.Message.Index;
        }

        var recoveries = ledger.Faults.Select(f =>
        {
            var first = deliveries.Where(d => started.TryGetValue(d.Message, out var s) && s > f.At).Select(d => d.At).DefaultIfEmpty(double.NaN).Min();
            return (f, double.IsNaN(first) ? (double?)null : first - f.At);
        }).ToList();

        var confirmTimes = confirmed.Values.Select(p => p.At).Order().ToList();
        var gap = confirmTimes.Zip(confirmTimes.Skip(1), (a, b) => b - a).DefaultIfEmpty(0).Max();

        return new FaultFigures(
            scenario,
            publishes.Count,
            confirmed.Count,
            publishes.Count(p => p.Outcome == PublishOutcome.Rejected),
            publishes.Count(p => p.Outcome == PublishOutcome.TimedOut),
            publishes.Count(p => p.Outcome == PublishOutcome.Failed),
            byMessage.Count,
            byMessage.Keys.Count(m => !confirmed.ContainsKey(m)),
            confirmed.Keys.Where(m => !byMessage.ContainsKey(m)).OrderBy(m => m.Key, StringComparer.Ordinal).ThenBy(m => m.Index).ToList(),
            byMessage.Count(g => g.Value.Count > 1),
            byMessage.Values.Sum(g => g.Count - 1),
            storedTwice,
            outOfOrder,
            recoveries,
            gap,
            publishes.Where(p => p.Error is not null)
                .GroupBy(p => $"{p.Outcome}: {p.Error}")
                .Select(g => (g.Key, g.Count())).OrderByDescending(e => e.Item2).ToList(),
            confirmed.Values.GroupBy(p => p.Node).Select(g => (g.Key, g.Count())).OrderBy(n => n.Key, StringComparer.Ordinal).ToList(),
            topicHosts,
            membership,
            byMessage.Where(g => g.Value.Count > 1).Take(10).Select(g =>
                $"{g.Key} (sequence {g.Value[0].Sequence}): " + string.Join(", ", g.Value.Select(d => $"attempt {d.Attempt} at {d.At:0.000} s ({d.Node})"))).ToList());
    }

    /// <summary>The figures as the test prints them.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine($"=== {Scenario}");
        text.AppendLine($"published {Published}: confirmed {Confirmed}, rejected {Rejected}, timed out {TimedOut}, failed {Failed}");
        text.AppendLine($"delivered {Delivered} distinct ({DeliveredUnconfirmed} of them not confirmed to the publisher)");
        text.AppendLine($"lost (confirmed, never delivered): {Lost.Count}{(Lost.Count == 0 ? "" : $" — {string.Join(", ", Lost.Take(20))}")}");
        text.AppendLine($"duplicated: {Duplicated} messages ({ExtraDeliveries} extra deliveries); stored twice: {StoredTwice}");
        text.AppendLine($"out of order per key: {OutOfOrder}");
        foreach (var (fault, seconds) in Recoveries)
            text.AppendLine($"recovery after \"{fault.What}\" (at {fault.At:0.0} s): "
                            + (seconds is { } s ? $"{s:0.00} s to the first delivery of a message published after it" : "no message published after it was delivered"));
        text.AppendLine($"longest pause between confirmations: {LongestConfirmationGap:0.00} s");
        text.AppendLine($"confirmed while the topic was on: {string.Join(", ", ConfirmedByNode.Select(n => $"{n.Node} {n.Confirmed}"))}");
        text.AppendLine($"topic hosts: {TopicHosts}");
        text.AppendLine($"membership changes seen by the client: {Membership}");
        foreach (var (error, count) in Errors.Take(10)) text.AppendLine($"error ×{count}: {error}");
        foreach (var duplicate in DuplicateDetails) text.AppendLine($"delivered twice: {duplicate}");
        return text.ToString();
    }
}
