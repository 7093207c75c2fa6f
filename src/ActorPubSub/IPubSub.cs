using ActorPubSub.Messages;

namespace ActorPubSub;

/// <summary>
/// The Task facade of ActorPubSub, registered in DI by <c>services.AddPubSubClient()</c>.
/// </summary>
/// <remarks>
/// No call waits forever: once the ActorSystem terminates, or this member is downed or removed from the cluster, every
/// call (those waiting, too) fails with <see cref="PubSubUnavailableException"/> naming why.
/// </remarks>
public interface IPubSub
{
    /// <summary>
    /// Publishes <paramref name="message"/> to <paramref name="topic"/> (created on first use). Completes with
    /// a receipt once the message is persisted; resends without receipt are stored once.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Invalid topic name, message too large, invalid options, or a message type without a serializer binding (Akka's
    /// type-name JSON fallback is never used; docs/payloads.md).
    /// </exception>
    /// <exception cref="PubSubRejectedException">The topic refused the message (e.g. full).</exception>
    /// <exception cref="TimeoutException">No receipt within the publish timeout: the message may or may not be stored.</exception>
    /// <remarks>Cancelling only stops the wait: the publish may still be stored (and is then delivered).</remarks>
    Task<PublishReceipt> PublishAsync<T>(string topic, T message, PublishOptions? options = null, CancellationToken cancellationToken = default)
        where T : notnull;

    /// <summary>
    /// Transient publish: the message goes to one consumer of each subscription of the topic that is consuming right
    /// now, and is never stored, acknowledged or redelivered (delivered with sequence 0 and attempt 0). Flow-controlled end
    /// to end: the client holds at most <c>actorpubsub.client.transient-buffer</c> messages per topic that the topic has not
    /// passed on yet (and <c>actorpubsub.client.transient-buffer-total</c> over all its topics), and the topic passes a message on only when a consumer has room (a consumer that falls behind holds
    /// the publisher back, up to its transient-window waiting at the topic). When the buffer is full,
    /// <see cref="PublishOptions.Overflow"/> decides: <see cref="TransientOverflow.Wait"/> (the default; the task completes
    /// once the message is buffered, so a consumer that keeps up loses nothing), drop-oldest, drop-newest (both counted in
    /// the <c>actorpubsub.transient.dropped</c> metric) or fail. A subscription without a consumer misses the message.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid topic name or message too large.</exception>
    /// <exception cref="PubSubRejectedException">Overflow <see cref="TransientOverflow.Fail"/> and the buffer is full (TopicFull).</exception>
    /// <remarks>Cancelling only stops the wait: the message may still be sent.</remarks>
    ValueTask PublishTransientAsync<T>(string topic, T message, PublishOptions? options = null, CancellationToken cancellationToken = default)
        where T : notnull;

    /// <summary>
    /// <see cref="PublishTransientAsync{T}"/> for callers without async: with overflow <see cref="TransientOverflow.Wait"/>
    /// and a full buffer it blocks the calling thread until there is room (do not call it from an actor; use
    /// <see cref="PublishTransientAsync{T}"/> there).
    /// </summary>
    /// <exception cref="ArgumentException">Invalid topic name, message too large, or a message type without a serializer binding.</exception>
    void PublishTransient<T>(string topic, T message, PublishOptions? options = null) where T : notnull;

    /// <summary>
    /// Completes once topics can be reached: the cluster's shard coordinator answers and at least one node hosts topics.
    /// For start-up (e.g. a readiness probe, or before the first publish); it waits until then or until
    /// <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <exception cref="PubSubUnavailableException">The client closed (ActorSystem terminated, member downed or removed).</exception>
    Task WaitUntilReadyAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates a durable subscription, or confirms it exists with the same options.</summary>
    /// <exception cref="ArgumentException">
    /// Invalid names or options, or a consumer setting in <paramref name="options"/> (the obsolete <c>MaxInFlight</c>,
    /// <c>HandlerTimeout</c> or <c>AcceptedPayloadTypes</c>): those belong to a consumer, not to the subscription; give
    /// them to <c>SubscribeAsync</c> in <see cref="ConsumerOptions"/>.
    /// </exception>
    Task<SubscriptionCreated> CreateSubscriptionAsync(string topic, string subscription, SubscriptionOptions? options = null,
        CancellationToken cancellationToken = default);

    /// <summary>Deletes a subscription and its delivery state.</summary>
    Task<SubscriptionDeleted> DeleteSubscriptionAsync(string topic, string subscription, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates the subscription if needed (with <paramref name="subscriptionOptions"/>, fixed at creation) and starts a
    /// consumer on this node (with <paramref name="consumerOptions"/>, this consumer's own). The handler acks a message by
    /// returning and nacks it by throwing (it comes back after a backoff). Several consumers of one subscription share its
    /// messages. Completes once the topic has registered the consumer: transient messages published after it returns
    /// reach it. Payloads are read only with the serializer bound to <typeparamref name="T"/> (or to each of
    /// <see cref="ConsumerOptions.AcceptedPayloadTypes"/>); a payload of another serializer is dead-lettered at once as
    /// unprocessable.
    /// </summary>
    /// <remarks>
    /// The handler is called on the consumer's actor and runs there until its first <c>await</c> that does not complete at
    /// once: a handler that does its work synchronously (or blocks) holds that actor, and the consumer's other deliveries
    /// wait for it. Make long or blocking work asynchronous (or start it with <c>Task.Run</c>). A handler that runs
    /// longer than <see cref="ConsumerOptions.HandlerTimeout"/> has its <see cref="CancellationToken"/> cancelled and its
    /// message is delivered again after the backoff; if it finishes after that, its result is not acknowledged (the
    /// message already counts as failed and its redelivery is on its way), so handlers should honour the token and be
    /// idempotent (docs/clients.md).
    /// </remarks>
    /// <exception cref="ArgumentException">
    /// Invalid names or options, a consumer setting left in <paramref name="subscriptionOptions"/> (the obsolete
    /// <c>MaxInFlight</c>, <c>HandlerTimeout</c> or <c>AcceptedPayloadTypes</c>: give them in
    /// <paramref name="consumerOptions"/>), or <typeparamref name="T"/> (or an accepted type) has no serializer of its own.
    /// </exception>
    /// <exception cref="TimeoutException">The topic did not register the consumer within the request timeout.</exception>
    Task<ISubscription> SubscribeAsync<T>(string topic, string subscription, Func<Delivery<T>, CancellationToken, Task> handler,
        SubscriptionOptions? subscriptionOptions, ConsumerOptions? consumerOptions, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="SubscribeAsync{T}(string, string, Func{Delivery{T}, CancellationToken, Task}, SubscriptionOptions?, ConsumerOptions?, CancellationToken)"/>
    /// with the consumer's defaults. For the migration from the options that mixed both, the obsolete consumer settings of
    /// <paramref name="options"/> (<c>MaxInFlight</c>, <c>HandlerTimeout</c>, <c>AcceptedPayloadTypes</c>) still apply
    /// to this consumer here; give them in <see cref="ConsumerOptions"/> instead.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Invalid names or options, or <typeparamref name="T"/> (or an accepted type) has no serializer of its own.
    /// </exception>
    /// <exception cref="TimeoutException">The topic did not register the consumer within the request timeout.</exception>
    Task<ISubscription> SubscribeAsync<T>(string topic, string subscription, Func<Delivery<T>, CancellationToken, Task> handler,
        SubscriptionOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>The topic's state (last sequence, retained messages, subscriptions and their lag).</summary>
    Task<TopicInfo> GetTopicInfoAsync(string topic, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves a subscription's cursor to <paramref name="sequence"/>: from there on every message is delivered
    /// again (replay) or skipped when seeking forward; everything before counts as acknowledged. Seeking back
    /// needs the messages retained (see <see cref="ConfigureTopicAsync(string, TopicRetention, CancellationToken)"/>).
    /// </summary>
    /// <exception cref="PubSubRejectedException">The sequence is outside the topic or no longer retained.</exception>
    Task<SeekCompleted> SeekAsync(string topic, string subscription, long sequence, CancellationToken cancellationToken = default);

    /// <summary>Moves a subscription's cursor to the first retained message published at or after <paramref name="timestamp"/>.</summary>
    Task<SeekCompleted> SeekAsync(string topic, string subscription, DateTime timestamp, CancellationToken cancellationToken = default);

    /// <summary>Sets how long the topic keeps messages every subscription acknowledged (for seeking back).</summary>
    Task<TopicConfigured> ConfigureTopicAsync(string topic, TopicRetention retention, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets the topic's retention of acknowledged messages, its limits on the log (<see cref="TopicLimits"/>), or both;
    /// a null one stays as it is (at least one must be given). New limits apply at once: with drop-oldest or a max age,
    /// what lies beyond them is dropped right away. The answer holds the retention and limits now in effect.
    /// </summary>
    /// <exception cref="PubSubRejectedException">Both are null, or a value is out of range (<see cref="RejectionCode.Invalid"/>).</exception>
    Task<TopicConfigured> ConfigureTopicAsync(string topic, TopicRetention? retention, TopicLimits? limits, CancellationToken cancellationToken = default);

    /// <summary>A page of the subscription's dead letters, by sequence, after <paramref name="afterSequence"/> (limit 1-1000).</summary>
    Task<DeadLetterPage> ListDeadLettersAsync(string topic, string subscription, long afterSequence = 0, int limit = 100,
        CancellationToken cancellationToken = default);

    /// <summary>The dead letter of message <paramref name="sequence"/>, or null when there is none.</summary>
    Task<DeadLetter?> GetDeadLetterAsync(string topic, string subscription, long sequence, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends dead letters back into their subscription with their attempt count reset: those of
    /// <paramref name="sequences"/>, or all when null or empty. A letter leaves the store once the topic has it back.
    /// </summary>
    Task<DeadLettersRedriven> RedriveDeadLettersAsync(string topic, string subscription, IEnumerable<long>? sequences = null,
        CancellationToken cancellationToken = default);

    /// <summary>Deletes dead letters for good: those of <paramref name="sequences"/>, or all when null or empty.</summary>
    Task<DeadLettersPurged> PurgeDeadLettersAsync(string topic, string subscription, IEnumerable<long>? sequences = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Registers <paramref name="schema"/> (a JSON Schema document) as the topic's next contract version, after checking
    /// it against the registered versions with the topic's compatibility mode (or <paramref name="compatibility"/>, which
    /// becomes the topic's mode); <paramref name="validation"/> sets how publishes are checked. <paramref name="dryRun"/>
    /// only checks. Registering the current version again changes nothing (docs/catalog.md).
    /// </summary>
    /// <exception cref="PubSubRejectedException">
    /// <see cref="RejectionCode.IncompatibleSchema"/> naming the field and the rule, or <see cref="RejectionCode.Invalid"/>.
    /// </exception>
    Task<SchemaRegistered> RegisterSchemaAsync(string topic, string schema, CompatibilityMode? compatibility = null,
        ValidationMode? validation = null, bool dryRun = false, CancellationToken cancellationToken = default);

    /// <summary>
    /// Registers a JSON Schema made from <typeparamref name="T"/> as the topic's next contract version: the schema of
    /// <typeparamref name="T"/>'s System.Text.Json form (the form a typed publish of <typeparamref name="T"/> is validated
    /// in), made by .NET's <c>JsonSchemaExporter</c>; C# <c>required</c> members are required. Otherwise as
    /// <see cref="RegisterSchemaAsync(string, string, CompatibilityMode?, ValidationMode?, bool, CancellationToken)"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No JSON Schema object can be made of <typeparamref name="T"/>.</exception>
    /// <exception cref="PubSubRejectedException">
    /// <see cref="RejectionCode.IncompatibleSchema"/> naming the field and the rule, or <see cref="RejectionCode.Invalid"/>.
    /// </exception>
    Task<SchemaRegistered> RegisterSchemaAsync<T>(string topic, CompatibilityMode? compatibility = null,
        ValidationMode? validation = null, bool dryRun = false, CancellationToken cancellationToken = default);

    /// <summary>
    /// Registers a Protocol Buffers contract as the topic's next version: <paramref name="fileDescriptorSet"/> is a
    /// serialized <c>FileDescriptorSet</c> holding <paramref name="messageType"/> and every file it imports (the output
    /// of <c>protoc --descriptor_set_out=F --include_imports</c>), <paramref name="messageType"/> the full name of the
    /// message payloads are (<c>shop.v1.Order</c>). Publishes are then checked as that message's wire format
    /// (<c>byte[]</c> payloads and Google.Protobuf messages); new versions by Confluent's Protobuf rules (docs/catalog.md).
    /// </summary>
    /// <exception cref="PubSubRejectedException">
    /// <see cref="RejectionCode.IncompatibleSchema"/> naming the field and the rule, or <see cref="RejectionCode.Invalid"/>.
    /// </exception>
    Task<SchemaRegistered> RegisterProtobufSchemaAsync(string topic, byte[] fileDescriptorSet, string messageType,
        CompatibilityMode? compatibility = null, ValidationMode? validation = null, bool dryRun = false, CancellationToken cancellationToken = default);

    /// <summary>
    /// Registers the generated Protocol Buffers message type <typeparamref name="T"/> (its file and every file it
    /// imports) as the topic's next contract version; otherwise as
    /// <see cref="RegisterProtobufSchemaAsync(string, byte[], string, CompatibilityMode?, ValidationMode?, bool, CancellationToken)"/>.
    /// </summary>
    Task<SchemaRegistered> RegisterProtobufSchemaAsync<T>(string topic, CompatibilityMode? compatibility = null,
        ValidationMode? validation = null, bool dryRun = false, CancellationToken cancellationToken = default)
        where T : Google.Protobuf.IMessage<T>, new();

    /// <summary>The topic's catalogue entry (owner, description, tags, modes, schema versions), or null when it has none.</summary>
    Task<TopicContract?> GetContractAsync(string topic, CancellationToken cancellationToken = default);

    /// <summary>Every catalogue entry, by topic name.</summary>
    Task<IReadOnlyList<TopicContract>> ListContractsAsync(CancellationToken cancellationToken = default);

    /// <summary>Sets the topic's owner, description, tags and modes in the catalogue; a null one stays as it is.</summary>
    /// <exception cref="PubSubRejectedException"><see cref="RejectionCode.Invalid"/>: a value out of range, or validation without a schema.</exception>
    Task<TopicContract> SetTopicInfoAsync(string topic, string? owner = null, string? description = null, IEnumerable<string>? tags = null,
        CompatibilityMode? compatibility = null, ValidationMode? validation = null, CancellationToken cancellationToken = default);
}
