using ActorPubSub.Client;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// Asks the topic where it runs (<c>TopicInfo.Node</c>) every quarter second, so that each publish and delivery can be
/// recorded with the broker that hosted the topic, and the test can pick the host as its victim. A question that gets
/// no answer (the host is dead or cut off) leaves the last known host in place.
/// </summary>
public sealed class TopicHostTracker : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Func<string, string> _name;
    private readonly List<(double At, string Node)> _history = [];
    private readonly MessageLedger _ledger;
    private volatile string? _current;

    public TopicHostTracker(IPubSub client, string topic, MessageLedger ledger, Func<string, string> name)
    {
        (_ledger, _name) = (ledger, name);
        _loop = Task.Run(() => TrackAsync(client, topic));
    }

    /// <summary>The address of the broker that last said it hosts the topic; null before the first answer.</summary>
    public string? Current => _current;

    /// <summary>The hosts in order, with when each was first seen (seconds of the ledger's clock).</summary>
    public IReadOnlyList<(double At, string Node)> History { get { lock (_history) return [.. _history]; } }

    /// <summary>Polls until the topic's host is known (or is not <paramref name="other"/>); fails at the deadline.</summary>
    public async Task<string> WaitForHostAsync(TimeSpan within, string? other = null)
    {
        var deadline = DateTime.UtcNow + within;
        while (_current is null || _current == other)
        {
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException(other is null
                    ? $"The topic named no host within {within.TotalSeconds:0} s."
                    : $"The topic did not move away from {_name(other)} within {within.TotalSeconds:0} s.");
            await Task.Delay(50);
        }
        return _current;
    }

    private async Task TrackAsync(IPubSub client, string topic)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var info = await client.GetTopicInfoAsync(topic, _stop.Token);
                if (info.Node != _current)
                {
                    _current = info.Node;
                    lock (_history) _history.Add((_ledger.Now, info.Node));
                }
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException or Akka.Actor.AskTimeoutException)
            {
                // No answer: the host is down, paused or cut off; keep the last known one.
            }
            try { await Task.Delay(Interval, _stop.Token); }
            catch (OperationCanceledException) { }
        }
    }

    /// <summary>"broker-2 (0.0 s) → broker-1 (13.2 s)".</summary>
    public string Describe() => string.Join(" → ", History.Select(h => $"{_name(h.Node)} ({h.At:0.0} s)"));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
