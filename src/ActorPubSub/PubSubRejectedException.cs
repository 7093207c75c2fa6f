
namespace ActorPubSub;

/// <summary>A topic refused a request; <see cref="Code"/> says why, the message says what is allowed.</summary>
public sealed class PubSubRejectedException(RejectionCode code, string message) : Exception(message)
{
    public RejectionCode Code { get; } = code;
}
