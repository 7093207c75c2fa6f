using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Hosting;
using ActorPubSub.Catalog;
using ActorPubSub.DeadLetters;
using ActorPubSub.Filters;
using ActorPubSub.Observability;
using ActorPubSub.Messages;
using ActorPubSub.Consumers;
using ActorPubSub.Topics.Subscriptions;
using ActorPubSub.Topics;
using Microsoft.Extensions.Logging;

namespace ActorPubSub.Client;

/// <summary>
/// The <see cref="IPubSub"/> of one ActorSystem (an Akka extension: one per system). Serializes messages
/// with Akka serialization, publishes through a resending <see cref="PublisherActor"/> and runs consumers as
/// <see cref="SubscriberActor"/>s.
/// </summary>
public sealed partial class PubSubClient : IPubSub, IExtension
{
    private readonly ExtendedActorSystem _system;
    private readonly IActorRef _region;
    private readonly IActorRef _deadLetters;
    private readonly IActorRef _publisher;
    private readonly ClientSettings _settings;
    private readonly ConsumerSettings _consumerSettings;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TransientQueue> _transient = new(StringComparer.Ordinal);
    private readonly TransientBudget _transientBudget;
    private readonly PublishQueue _publishes = new();
    private readonly PublishBudget _publishBudget;
    private readonly Lazy<HandlerLogScope?> _handlerLogScope;
    private readonly ClientLifetime _lifetime;
    private readonly ContractCache _contracts;
    private int _consumerCounter;

    internal PubSubClient(ExtendedActorSystem system, IActorRef region, IActorRef deadLetters)
    {
        _system = system;
        _region = region;
        _deadLetters = deadLetters;
        _settings = ClientSettings.Create(system);
        _consumerSettings = ConsumerSettings.Create(system);
        _contracts = ContractCache.Get(system);
        _publishBudget = new PublishBudget(_settings.MaxOutstandingPublishes, _settings.MaxOutstandingPublishBytes);
        _publisher = system.SystemActorOf(PublisherActor.Props(region, _settings, _publishes, _publishBudget), "actorpubsub-publisher");
        _transientBudget = new TransientBudget(_settings.TransientBufferTotal, RequestFlush);
        _lifetime = new ClientLifetime(system);
        // Publishes the publisher never took (it stopped with the system) would wait forever: fail them.
        _lifetime.OnClose(FailQueuedPublishes);
        _lifetime.OnClose(() =>
        {
            foreach (var queue in _transient.Values) queue.FailWaiters(_lifetime.Unavailable());
        });
        _handlerLogScope = new Lazy<HandlerLogScope?>(() => HostLoggerFactory(system) is { } factory
            ? new HandlerLogScope(factory.CreateLogger(HandlerLogScope.Category))
            : null);
    }

    /// <summary>The host's logger factory (Akka.Hosting's service provider), for the handlers' log scope; null without one.</summary>
    private static ILoggerFactory? HostLoggerFactory(ActorSystem system)
    {
        try
        {
            return DependencyResolver.For(system).Resolver.GetService<ILoggerFactory>();
        }
        catch (Exception)
        {
            // A plain ActorSystem without Akka.Hosting has no service provider: handlers then run without a log scope.
            return null;
        }
    }

    /// <summary>The client of <paramref name="system"/>; WithActorPubSub must have set up the topic region.</summary>
    public static PubSubClient Get(ActorSystem system) => system.WithExtension<PubSubClient, PubSubClientProvider>();

    /// <summary>The topic shard region (or proxy), for actor-native use of the protocol messages.</summary>
    public IActorRef TopicRegion => _region;

    public Task<PublishReceipt> PublishAsync<T>(string topic, T message, PublishOptions? options = null,
        CancellationToken cancellationToken = default) where T : notnull
    {
        var headers = OwnHeaders(options);
        // One field read while no topic validates (PubSubClient.Contracts.cs).
        if (_contracts.Active) headers = CheckContract(topic, message, headers);
        var payload = Prepare(topic, message, options?.Key, headers, options?.MessageId, out var size);
        // Its place in the client's bound on held publishes, given back by the publisher actor when the task completes.
        var held = size + ClientSettings.PerMessageOverhead;
        if (!_publishBudget.TryTake(held)) return Task.FromException<PublishReceipt>(PublishBudgetFull());
        var (activity, sent) = Trace(topic, options, payload, headers, transient: false);
        var completion = new TaskCompletionSource<PublishReceipt>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (activity is not null) PublishTracing.StopWhenDone(activity, completion.Task);
        _publishes.Enqueue(new PublisherActor.Send(topic, payload, options?.Key, sent, options?.MessageId, completion, held));
        // One flush request per burst: the publisher drains the queue and sends it to the topics in batches.
        if (Interlocked.CompareExchange(ref _publishes.FlushRequested, 1, 0) == 0)
            _publisher.Tell(PublisherActor.FlushPublishes.Instance);
        // Closed while enqueuing: the close already drained the queue, so this one is failed here.
        if (_lifetime.IsClosed) FailQueuedPublishes();
        return cancellationToken.CanBeCanceled ? completion.Task.WaitAsync(cancellationToken) : completion.Task;
    }

    public void PublishTransient<T>(string topic, T message, PublishOptions? options = null) where T : notnull
    {
        var admitted = PublishTransientAsync(topic, message, options);
        // Waits only while this client's transient buffer of the topic is full (overflow Wait): blocking is the back-pressure.
        if (!admitted.IsCompletedSuccessfully) admitted.AsTask().GetAwaiter().GetResult();
    }

    public ValueTask PublishTransientAsync<T>(string topic, T message, PublishOptions? options = null,
        CancellationToken cancellationToken = default) where T : notnull
    {
        var headers = OwnHeaders(options);
        // One field read while no topic validates (PubSubClient.Contracts.cs).
        if (_contracts.Active) headers = CheckContract(topic, message, headers);
        var payload = Prepare(topic, message, options?.Key, headers, options?.MessageId);
        var (activity, sent) = Trace(topic, options, payload, headers, transient: true);
        // Fire-and-forget: the span covers handing the message over, there is no receipt to wait for.
        if (activity is not null) TraceContext.StopDetached(activity);
        var queue = _transient.GetOrAdd(topic, static (t, client) => new TransientQueue(t, client._settings.TransientBuffer, client._transientBudget), this);
        var overflow = options?.Overflow ?? TransientOverflow.Wait;
        var outcome = queue.Offer(new TopicMessage(0, DateTime.UtcNow, payload, options?.Key, sent, options?.MessageId), overflow, out var admitted);
        switch (outcome)
        {
            case TransientQueue.Outcome.Dropped:
                ClientMetrics.TransientDropped(topic, 1);
                return default;
            case TransientQueue.Outcome.Full:
                throw new PubSubRejectedException(RejectionCode.TopicFull, queue.HasOwnRoom
                    ? $"This client's transient buffers are full over all topics ({_transientBudget.Total} messages, " +
                      "actorpubsub.client.transient-buffer-total): consumers do not keep up. Overflow Wait waits for room instead."
                    : $"This client's transient buffer of topic '{topic}' is full ({queue.Capacity} messages, actorpubsub.client.transient-buffer): " +
                      "its consumers do not keep up. Overflow Wait waits for room instead.");
            case TransientQueue.Outcome.DroppedOldest:
                ClientMetrics.TransientDropped(topic, 1);
                break;
        }
        RequestFlush(queue);
        if (outcome != TransientQueue.Outcome.Waiting) return default;
        // Closed meanwhile: its close already failed the waiters it saw; this one may have come after.
        if (_lifetime.IsClosed) queue.FailWaiters(_lifetime.Unavailable());
        return new ValueTask(cancellationToken.CanBeCanceled ? admitted!.WaitAsync(cancellationToken) : admitted!);
    }

    private PubSubRejectedException PublishBudgetFull() => new(RejectionCode.TopicFull,
        $"This client holds {_publishBudget.Publishes} publishes ({_publishBudget.Bytes} bytes) that await their receipts, its bound " +
        $"(actorpubsub.client.max-outstanding-publishes = {_publishBudget.MaxPublishes}, max-outstanding-publish-bytes = " +
        $"{_publishBudget.MaxBytes}): await earlier publishes before starting more, or raise the bound. Nothing of this publish was sent.");

    /// <summary>One flush request per burst: the publisher drains the whole queue into batches.</summary>
    private void RequestFlush(TransientQueue queue)
    {
        if (Interlocked.CompareExchange(ref queue.FlushRequested, 1, 0) == 0)
            _publisher.Tell(new PublisherActor.FlushTransient(queue));
    }

    public async Task<SubscriptionCreated> CreateSubscriptionAsync(string topic, string subscription, SubscriptionOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        TopicNames.EnsureTopic(topic);
        TopicNames.EnsureSubscription(subscription);
        options ??= new SubscriptionOptions();
        if (options.ConsumerSettingsSet() is [_, ..] consumerSettings)
            throw new ArgumentException(
                $"{string.Join(", ", consumerSettings)} {(consumerSettings.Count == 1 ? "is a consumer setting" : "are consumer settings")}, " +
                "not stored with the subscription: give them to SubscribeAsync in ConsumerOptions (SubscriptionOptions holds only " +
                "what is fixed at creation: Start, AckDeadline, MaxDeliveryAttempts, Backoff, OrderedByKey, Filter).", nameof(options));
        // The topic checks these too; checking here gives the caller an ArgumentException without a round trip.
        if (options.Backoff?.Validate() is { } backoff) throw new ArgumentException(backoff, nameof(options));
        if (options.MaxDeliveryAttempts is { } attempts && SubscriptionLimits.CheckMaxDeliveryAttempts("MaxDeliveryAttempts", attempts) is { } attemptsError)
            throw new ArgumentException(attemptsError, nameof(options));
        if (options.Filter is { } filter && !HeaderFilter.TryParse(filter, out _, out var filterError))
            throw new ArgumentException(filterError!.Message, nameof(options));
        return await RequestAsync<SubscriptionCreated>(
            new CreateSubscription(topic, subscription, options.Start, options.AckDeadline ?? TimeSpan.Zero,
                options.MaxDeliveryAttempts ?? 0, options.Backoff, options.OrderedByKey, options.Filter), cancellationToken);
    }

    public async Task<SubscriptionDeleted> DeleteSubscriptionAsync(string topic, string subscription, CancellationToken cancellationToken = default)
    {
        TopicNames.EnsureTopic(topic);
        TopicNames.EnsureSubscription(subscription);
        return await RequestAsync<SubscriptionDeleted>(new DeleteSubscription(topic, subscription), cancellationToken);
    }

    public async Task<TopicInfo> GetTopicInfoAsync(string topic, CancellationToken cancellationToken = default)
    {
        TopicNames.EnsureTopic(topic);
        return await RequestAsync<TopicInfo>(new GetTopicInfo(topic), cancellationToken);
    }

    public Task<SeekCompleted> SeekAsync(string topic, string subscription, long sequence, CancellationToken cancellationToken = default)
    {
        TopicNames.EnsureTopic(topic);
        TopicNames.EnsureSubscription(subscription);
        return RequestAsync<SeekCompleted>(new Seek(topic, subscription, sequence, null), cancellationToken);
    }

    public Task<SeekCompleted> SeekAsync(string topic, string subscription, DateTime timestamp, CancellationToken cancellationToken = default)
    {
        TopicNames.EnsureTopic(topic);
        TopicNames.EnsureSubscription(subscription);
        return RequestAsync<SeekCompleted>(new Seek(topic, subscription, null, timestamp.ToUniversalTime()), cancellationToken);
    }

    public Task<TopicConfigured> ConfigureTopicAsync(string topic, TopicRetention retention, CancellationToken cancellationToken = default)
    {
        TopicNames.EnsureTopic(topic);
        ArgumentNullException.ThrowIfNull(retention);
        return RequestAsync<TopicConfigured>(new ConfigureTopic(topic, retention), cancellationToken);
    }

    public Task<TopicConfigured> ConfigureTopicAsync(string topic, TopicRetention? retention, TopicLimits? limits,
        CancellationToken cancellationToken = default)
    {
        TopicNames.EnsureTopic(topic);
        if (retention is null && limits is null) throw new ArgumentException("Give a retention, limits, or both.", nameof(limits));
        return RequestAsync<TopicConfigured>(new ConfigureTopic(topic, retention, limits), cancellationToken);
    }

    public Task<DeadLetterPage> ListDeadLettersAsync(string topic, string subscription, long afterSequence = 0, int limit = 100,
        CancellationToken cancellationToken = default)
    {
        TopicNames.EnsureTopic(topic);
        TopicNames.EnsureSubscription(subscription);
        if (limit is < 1 or > DeadLetterActor.MaxListLimit)
            throw new ArgumentOutOfRangeException(nameof(limit), limit, $"The limit must be between 1 and {DeadLetterActor.MaxListLimit}.");
        return AskDeadLettersAsync<DeadLetterPage>(new ListDeadLetters(topic, subscription, afterSequence, limit), cancellationToken);
    }

    public async Task<DeadLetter?> GetDeadLetterAsync(string topic, string subscription, long sequence, CancellationToken cancellationToken = default) =>
        (await AskDeadLettersAsync<DeadLetterFound>(new GetDeadLetter(topic, subscription, sequence), cancellationToken)).Letter;

    public Task<DeadLettersRedriven> RedriveDeadLettersAsync(string topic, string subscription, IEnumerable<long>? sequences = null,
        CancellationToken cancellationToken = default) =>
        AskDeadLettersAsync<DeadLettersRedriven>(new RedriveDeadLetters(topic, subscription, [.. sequences ?? []]), cancellationToken);

    public Task<DeadLettersPurged> PurgeDeadLettersAsync(string topic, string subscription, IEnumerable<long>? sequences = null,
        CancellationToken cancellationToken = default) =>
        AskDeadLettersAsync<DeadLettersPurged>(new PurgeDeadLetters(topic, subscription, [.. sequences ?? []]), cancellationToken);

    /// <summary>Sends a command to the dead-letter store of its subscription, once its names are checked.</summary>
    private Task<TReply> AskDeadLettersAsync<TReply>(IDeadLetterCommand command, CancellationToken cancellationToken)
    {
        TopicNames.EnsureTopic(command.Topic);
        TopicNames.EnsureSubscription(command.Subscription);
        return RequestAsync<TReply>(_deadLetters, command.Topic, command, cancellationToken);
    }

    public Task<ISubscription> SubscribeAsync<T>(string topic, string subscription, Func<Delivery<T>, CancellationToken, Task> handler,
        SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
    {
        // The migration path: consumer settings still given in SubscriptionOptions apply to this consumer.
        var (durable, consumer) = (options ?? new SubscriptionOptions()).Split();
        return SubscribeAsync(topic, subscription, handler, durable, consumer, cancellationToken);
    }

    public async Task<ISubscription> SubscribeAsync<T>(string topic, string subscription, Func<Delivery<T>, CancellationToken, Task> handler,
        SubscriptionOptions? subscriptionOptions, ConsumerOptions? consumerOptions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        subscriptionOptions ??= new SubscriptionOptions();
        consumerOptions ??= new ConsumerOptions();
        var settings = (_consumerSettings with
        {
            MaxInFlight = consumerOptions.MaxInFlight ?? _consumerSettings.MaxInFlight,
            HandlerTimeout = consumerOptions.HandlerTimeout ?? _consumerSettings.HandlerTimeout,
        }).Validate();
        var decoder = PayloadDecoder.Create(_system, typeof(T), consumerOptions.AcceptedPayloadTypes);
        var versions = SchemaVersionFilter.Create(consumerOptions.AcceptedSchemaVersions);
        await CreateSubscriptionAsync(topic, subscription, subscriptionOptions, cancellationToken);

        SubscriberActor.Handler run = (message, attempt, ct) =>
        {
            var version = SchemaVersionFilter.Of(message.Headers);
            versions?.Check(version, message, topic);
            var body = decoder.Decode(message, topic);
            if (body is not T typed)
                throw new InvalidCastException(
                    $"Message #{message.Sequence} of topic '{topic}' is a {body?.GetType().FullName ?? "null"}; this handler takes {typeof(T).FullName}.");
            return handler(new Delivery<T>(topic, subscription, message.Sequence, attempt, message.Timestamp, typed,
                message.Key, message.Headers, message.MessageId, TraceContext.CorrelationIdOf(message.Headers)) { SchemaVersion = version }, ct);
        };
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var name = $"actorpubsub-consumer-{Interlocked.Increment(ref _consumerCounter)}";
        var actor = _system.SystemActorOf(
            SubscriberActor.Props(_region, topic, subscription, run, settings, completion, _handlerLogScope.Value, registered), name);
        var running = new RunningSubscription(topic, subscription, actor, completion.Task);
        // Returns once the topic has the consumer: a message (transient ones too) published after this returns reaches it.
        await AwaitRegisteredAsync(running, registered.Task, cancellationToken);
        return running;
    }

    /// <summary>The caller's headers, with <see cref="PublishOptions.CorrelationId"/> when given: they count against the size limit.</summary>
    private static ImmutableDictionary<string, string>? OwnHeaders(PublishOptions? options) =>
        TraceContext.Inject(options?.Headers, activity: null, options?.CorrelationId);

    /// <summary>
    /// The publish span (null without a listener) and the headers to send: <paramref name="headers"/> plus the trace
    /// context and an ambient or generated correlation id, when there are any (<paramref name="headers"/> itself
    /// otherwise: no allocation). What ActorPubSub adds never makes a message that fits too large: a message at the
    /// size limit goes without it (the span says so).
    /// </summary>
    private (Activity? Activity, ImmutableDictionary<string, string>? Headers) Trace(string topic, PublishOptions? options,
        Payload payload, ImmutableDictionary<string, string>? headers, bool transient)
    {
        var ambient = options?.CorrelationId is null
            ? PubSubCorrelation.Current ?? (_settings.GenerateCorrelationId ? PubSubCorrelation.NewId() : null)
            : null;
        var activity = PublishTracing.Start(topic, options?.MessageId, options?.CorrelationId ?? ambient, transient);
        var sent = TraceContext.Inject(headers, activity, ambient);
        if (!ReferenceEquals(sent, headers) && MessageSize.Of(payload, options?.Key, sent, options?.MessageId) > _settings.MessageLimit)
        {
            activity?.SetTag("actorpubsub.context_dropped", true);
            sent = headers;
        }
        return (activity, sent);
    }

    /// <summary>The edge checks of a publish (topic name, size, headers included) and its serialized payload.</summary>
    private Payload Prepare<T>(string topic, T message, string? key, ImmutableDictionary<string, string>? headers, string? messageId)
        where T : notnull => Prepare(topic, message, key, headers, messageId, out _);

    /// <param name="size">The message's bytes: payload, key, headers and id in UTF-8.</param>
    private Payload Prepare<T>(string topic, T message, string? key, ImmutableDictionary<string, string>? headers, string? messageId,
        out int size) where T : notnull
    {
        _lifetime.ThrowIfClosed();
        TopicNames.EnsureTopic(topic);
        ArgumentNullException.ThrowIfNull(message);
        var payload = PayloadSerializers.Serialize(_system, message);
        // Each field first, so the error names the one that is too large; then the whole.
        var limit = _settings.MessageLimit;
        // Each field counted once (UTF-8 counting walks the text), the whole is their sum (MessageSize.Of).
        var keySize = MessageSize.OfText(key);
        var headersSize = MessageSize.OfHeaders(headers);
        var idSize = MessageSize.OfText(messageId);
        var payloadSize = payload.Size;
        CheckSize("key", keySize, limit, "options");
        CheckSize("headers", headersSize, limit, "options");
        CheckSize("message id", idSize, limit, "options");
        CheckSize("payload (serialized)", payloadSize, limit, nameof(message));
        size = payloadSize + keySize + idSize + headersSize;
        CheckSize("message (payload, key, headers and id)", size, limit, nameof(message));
        return payload;
    }

    private void CheckSize(string field, int size, int limit, string parameter)
    {
        if (size <= limit) return;
        var why = limit < _settings.MaxMessageSize
            ? $"the remote frame limit (akka.remote.dot-netty.tcp.maximum-frame-size = {_settings.MaxFrameSize} bytes) allows {limit} per message"
            : $"max-message-size allows {limit} for the whole message";
        throw new ArgumentException($"The {field} is {size} bytes in UTF-8; {why}.", parameter);
    }

    /// <summary>
    /// Asks the topic and retries on timeout: a request dropped by sharding during a hand-off is sent again.
    /// All these requests are idempotent.
    /// </summary>
    private Task<TReply> RequestAsync<TReply>(ITopicCommand request, CancellationToken cancellationToken) =>
        RequestAsync<TReply>(_region, request.Topic, request, cancellationToken, resend: true);

    /// <param name="resend">
    /// Resend after resend-after without an answer. Dead-letter operations are not resent: a redrive may take
    /// longer than that, and a second one would only report what the first left.
    /// </param>
    private async Task<TReply> RequestAsync<TReply>(IActorRef region, string topic, object request, CancellationToken cancellationToken,
        bool resend = false)
    {
        _lifetime.ThrowIfClosed();
        var giveUp = DateTime.UtcNow + _settings.RequestTimeout;
        // The client's close cancels the wait: a terminated system's Ask would never time out.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Closing);
        var attemptTimeout = resend
            ? TimeSpan.FromTicks(Math.Max(_settings.ResendAfter.Ticks, TimeSpan.FromMilliseconds(500).Ticks))
            : _settings.RequestTimeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            object reply;
            try
            {
                reply = await region.Ask<object>(request, attemptTimeout, linked.Token);
            }
            catch (OperationCanceledException) when (_lifetime.IsClosed && !cancellationToken.IsCancellationRequested)
            {
                throw _lifetime.Unavailable();
            }
            catch (AskTimeoutException) when (DateTime.UtcNow < giveUp)
            {
                continue;
            }
            catch (AskTimeoutException)
            {
                throw new TimeoutException($"Topic '{topic}' did not answer {request.GetType().Name} within {_settings.RequestTimeout}.");
            }
            return reply switch
            {
                TReply ok => ok,
                CommandRejected r => throw new PubSubRejectedException(r.Code, r.Reason),
                _ => throw new InvalidOperationException($"Unexpected reply {reply.GetType().Name} to {request.GetType().Name}."),
            };
        }
    }

    private sealed class RunningSubscription(string topic, string subscription, IActorRef actor, Task completion) : ISubscription
    {
        public string Topic { get; } = topic;
        public string Subscription { get; } = subscription;
        public Task Completion { get; } = completion;

        public async ValueTask DisposeAsync()
        {
            if (Completion.IsCompleted) return;
            try
            {
                await actor.GracefulStop(TimeSpan.FromSeconds(10));
            }
            catch (Exception) when (Completion.IsCompleted)
            {
                // already stopped by the topic (subscription deleted)
            }
        }
    }
}

/// <summary>Creates the one <see cref="PubSubClient"/> of an ActorSystem.</summary>
public sealed class PubSubClientProvider : ExtensionIdProvider<PubSubClient>
{
    public override PubSubClient CreateExtension(ExtendedActorSystem system) =>
        new(system, ActorRegistry.For(system).Get<TopicRegion>(), ActorRegistry.For(system).Get<DeadLetterRegion>());
}
