using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Client.Idempotency;

/// <summary>
/// Wraps a handler so that, under at-least-once delivery, a message whose key it has already processed
/// successfully is skipped: the wrapper completes without calling the handler, so the duplicate is acked.
/// </summary>
/// <remarks>
/// <para>
/// The default key (<see cref="DefaultKey{T}"/>) is the delivery's <see cref="Delivery{T}.MessageId"/> when the
/// publisher set one, else <c>"{Topic}/{Sequence}"</c>. A sequence-based key only catches <i>redeliveries</i> of
/// one stored message (after a missed ack deadline, a nack that raced a success, a consumer restart). A publisher
/// that retries and stores the message twice gives it two sequences, and only a <c>MessageId</c> it chose itself
/// catches that duplicate.
/// </para>
/// <para>
/// Only success marks a key: when the handler throws, the key stays unmarked and the redelivery runs it again.
/// When two deliveries with one key run at once, the second waits for the first and then is skipped if the first
/// succeeded, or runs if it failed. Keys live in a <see cref="ProcessedMessageCache"/> of one wrapper, in memory:
/// a duplicate that arrives after the key was evicted or expired, or at another process, runs again, so the
/// handler should still tolerate the rare repeat.
/// </para>
/// </remarks>
public static class IdempotentHandler
{
    /// <summary>Skips deliveries whose <see cref="DefaultKey{T}"/> was already processed successfully.</summary>
    public static Func<Delivery<T>, CancellationToken, Task> Wrap<T>(
        Func<Delivery<T>, CancellationToken, Task> handler, IdempotencyOptions? options = null) =>
        Wrap(handler, DefaultKey, options);

    /// <summary>
    /// Skips deliveries whose key, chosen by <paramref name="keySelector"/> (for example an id inside the message),
    /// was already processed successfully. A <c>null</c> key means "do not deduplicate": the handler always runs.
    /// Compose with <see cref="DefaultKey{T}"/> to fall back to it: <c>d =&gt; d.Message.OrderId ?? IdempotentHandler.DefaultKey(d)</c>.
    /// </summary>
    public static Func<Delivery<T>, CancellationToken, Task> Wrap<T>(
        Func<Delivery<T>, CancellationToken, Task> handler, Func<Delivery<T>, string?> keySelector, IdempotencyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(keySelector);
        options ??= new IdempotencyOptions();
        var cache = new ProcessedMessageCache(options.Capacity, options.Ttl, options.TimeProvider);
        return new DeduplicatingHandler<T>(handler, keySelector, cache).HandleAsync;
    }

    /// <summary>
    /// <see cref="Delivery{T}.MessageId"/> when set (not empty), else <c>"{Topic}/{Sequence}"</c>; <c>null</c> for a transient
    /// message without a MessageId, whose sequence (0) is not unique and which is never redelivered anyway.
    /// </summary>
    public static string? DefaultKey<T>(Delivery<T> delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        if (!string.IsNullOrEmpty(delivery.MessageId)) return delivery.MessageId;
        return delivery.Sequence == 0 ? null : $"{delivery.Topic}/{delivery.Sequence}";
    }
}
