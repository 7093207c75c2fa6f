
namespace ActorPubSub;

/// <summary>
/// Thrown by a handler to declare a message poison (it can never be processed: malformed, violates an
/// invariant): the message goes to the subscription's dead-letter store at once, without further attempts.
/// Any other exception is retried with backoff until MaxDeliveryAttempts.
/// </summary>
public sealed class UnprocessableMessageException : Exception
{
    public UnprocessableMessageException(string reason) : base(reason) { }

    public UnprocessableMessageException(string reason, Exception inner) : base(reason, inner) { }
}
