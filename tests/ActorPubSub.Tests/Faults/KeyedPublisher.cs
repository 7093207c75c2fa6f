using ActorPubSub.Client;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// The fault tests' load: one publishing loop per ordering key, each publishing <c>key/1</c>, <c>key/2</c>, ... (the
/// message id is the same text, so the topic's dedup by id would catch a second store) and waiting for each outcome
/// before its next publish. So a confirmed message of a key was stored after every earlier confirmed message of that
/// key, and the order in which they must be delivered is known. Every outcome goes into the ledger. A paced rate
/// keeps the machine free for the failure detector: the test is about faults, not throughput.
/// </summary>
public sealed class KeyedPublisher : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _loops;

    /// <param name="interval">Pause between two publishes of one key (when a publish took longer, the next goes at once).</param>
    public KeyedPublisher(IPubSub client, string topic, MessageLedger ledger, int keys, TimeSpan interval)
    {
        _loops = Enumerable.Range(1, keys).Select(k => Task.Run(() => PublishKeyAsync(client, topic, ledger, $"k{k}", interval))).ToArray();
    }

    private async Task PublishKeyAsync(IPubSub client, string topic, MessageLedger ledger, string key, TimeSpan interval)
    {
        using var pace = new PeriodicTimer(interval);
        for (var index = 1; !_stop.IsCancellationRequested; index++)
        {
            var message = new MessageKey(key, index);
            var started = ledger.Now;
            try
            {
                // No cancellation token: a publish runs to its outcome (receipt, refusal or the client's publish timeout).
                var receipt = await client.PublishAsync(topic, message.Id, new PublishOptions { Key = key, MessageId = message.Id });
                ledger.Published(message, PublishOutcome.Confirmed, receipt.Sequence, null, started);
            }
            catch (PubSubRejectedException e)
            {
                ledger.Published(message, PublishOutcome.Rejected, 0, $"{e.Code}: {e.Message}", started);
            }
            catch (TimeoutException e)
            {
                ledger.Published(message, PublishOutcome.TimedOut, 0, e.Message, started);
            }
            catch (Exception e) when (e is not ArgumentException)
            {
                ledger.Published(message, PublishOutcome.Failed, 0, $"{e.GetType().Name}: {e.Message}", started);
            }
            try { await pace.WaitForNextTickAsync(_stop.Token); }
            catch (OperationCanceledException) { }
        }
    }

    /// <summary>Stops after each key's publish in progress has its outcome.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
