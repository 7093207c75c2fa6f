using Xunit;

namespace ActorPubSub.Tests.Support;

/// <summary>What a client outside the cluster must show once the node it uses is back after a restart.</summary>
public static class ClientOutage
{
    /// <summary>
    /// The publish made during the outage waited within its timeout or failed with the timeout that says the message may
    /// or may not be stored; a publish after it gets its receipt; the re-attached consumer (recording into
    /// <paramref name="received"/>) gets it; and the client's ActorSystem kept running through it all.
    /// </summary>
    public static async Task AssertServesAgainAsync(PubSubClientHost service, Task duringOutage, IReadOnlyCollection<string> received,
        TimeSpan deadline)
    {
        try
        {
            await duringOutage;
        }
        catch (TimeoutException e)
        {
            Assert.Contains("may or may not be stored", e.Message);
        }
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                await service.Client.PublishAsync("orders", "after");
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }, ok => ok, "a publish after the restart gets its receipt", deadline);
        await Eventually.HoldsAsync(() => received.Contains("after"), "the re-attached consumer gets the message published after the restart", deadline);
        Assert.False(service.System.WhenTerminated.IsCompleted, "the client's ActorSystem kept running through the restart");
    }
}
