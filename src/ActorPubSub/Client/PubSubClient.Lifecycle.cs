using Akka.Actor;
using Akka.Cluster.Sharding;

namespace ActorPubSub.Client;

/// <summary>Readiness, registration and closing: the parts of the client that make sure no call waits forever.</summary>
public sealed partial class PubSubClient
{
    private static readonly TimeSpan ReadyPollInterval = TimeSpan.FromMilliseconds(200);

    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Closing);
        while (true)
        {
            _lifetime.ThrowIfClosed();
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                // The region answers from its shard coordinator: once that is reachable and a node hosts topics, a
                // request is routed. Without a coordinator yet, the region answers an empty set itself.
                var regions = await _region.Ask<CurrentRegions>(GetCurrentRegions.Instance, TimeSpan.FromSeconds(2), linked.Token);
                if (regions.Regions.Count > 0) return;
            }
            catch (AskTimeoutException)
            {
                // the coordinator did not answer yet (cluster forming, coordinator moving): ask again
            }
            catch (OperationCanceledException) when (_lifetime.IsClosed && !cancellationToken.IsCancellationRequested)
            {
                throw _lifetime.Unavailable();
            }
            try
            {
                await Task.Delay(ReadyPollInterval, linked.Token);
            }
            catch (OperationCanceledException) when (_lifetime.IsClosed && !cancellationToken.IsCancellationRequested)
            {
                throw _lifetime.Unavailable();
            }
        }
    }

    /// <summary>
    /// Waits until the topic registered the new consumer (it renews until then, so a topic still starting answers later);
    /// on a rejection, a timeout, a cancellation or the client's close the consumer is stopped and the call fails.
    /// </summary>
    private async Task AwaitRegisteredAsync(RunningSubscription running, Task registered, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Closing);
        try
        {
            await registered.WaitAsync(_settings.RequestTimeout, linked.Token);
        }
        catch (Exception e)
        {
            await running.DisposeAsync();
            if (_lifetime.IsClosed && !cancellationToken.IsCancellationRequested) throw _lifetime.Unavailable();
            if (e is TimeoutException)
                throw new TimeoutException(
                    $"Topic '{running.Topic}' did not register the consumer of '{running.Subscription}' within {_settings.RequestTimeout}.", e);
            throw;
        }
    }

    /// <summary>Fails the publishes still queued for the publisher: the client closed, nobody will send them.</summary>
    private void FailQueuedPublishes()
    {
        while (_publishes.Items.TryDequeue(out var send))
        {
            _publishBudget.Release(send.Bytes);
            send.Completion.TrySetException(_lifetime.Unavailable());
        }
    }
}
