namespace ActorPubSub;

/// <summary>Why a message was dead-lettered.</summary>
public enum DeadLetterReason
{
    /// <summary>It failed <c>MaxDeliveryAttempts</c> times (handler error, handler timeout or ack deadline).</summary>
    MaxDeliveryAttempts = 1,
    /// <summary>The handler declared it unprocessable (no retry).</summary>
    Unprocessable = 2,
}
