using Akka.Actor;

namespace ActorPubSub.Server.Admin;

/// <summary>
/// What a running admin command has: the host's ActorSystem, its services, and a cancellation that fires when the
/// command's timeout passes, the caller goes away or the host stops.
/// </summary>
internal sealed record AdminContext(ActorSystem System, IServiceProvider Services, TimeSpan Timeout, CancellationToken Cancellation)
{
    /// <summary>Asks <paramref name="actor"/>, turning a missing answer into a 504 naming <paramref name="what"/>.</summary>
    public async Task<T> AskAsync<T>(ICanTell actor, object message, string what, TimeSpan? timeout = null)
    {
        var wait = timeout ?? Timeout;
        try
        {
            return await actor.Ask<T>(message, wait, Cancellation);
        }
        catch (AskTimeoutException)
        {
            throw AdminException.Timeout(what, wait);
        }
    }
}
