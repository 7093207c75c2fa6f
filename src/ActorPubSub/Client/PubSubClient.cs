using Akka.Actor;
using Akka.Hosting;
using ActorPubSub.Payloads;
using ActorPubSub.Subscriptions;
using ActorPubSub.Topics;

namespace ActorPubSub.Client;

/// <summary>
/// The <see cref="IPubSub"/> of one ActorSystem (an Akka extension: one per system). Serializes messages
/// with Akka serialization, publishes through a resending <see cref="PublisherActor"/> and runs consumers as
/// <see cref="SubscriberActor"/>s.
/// </summary>
public sealed class PubSubClient : IPubSub, IExtension
{
    private readonly ExtendedActorSystem _system;
    private readonly IActorRef _region;
    private readonly IActorRef _publisher;
    private readonly ClientSettings _settings;
    private readonly ConsumerSettings _consumerSettings;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TransientQueue> _transient = new(StringComparer.Ordinal);
    private readonly PublishQueue _publishes = new();
    private int _consumerCounter;

    internal PubSubClient(ExtendedActorSystem system, IActorRef region)
    {
        _system = system;
        _region = region;
        _settings = ClientSettings.Create(system);
        _consumerSettings = ConsumerSettings.Create(system);
        _publisher = system.SystemActorOf(PublisherActor.Props(region, _settings, _publishes), "actorpubsub-publisher");
    }

    /// <summary>The client of <paramref name="system"/>; WithActorPubSub must have set up the topic region.</summary>
    public static PubSubClient Get(ActorSystem system) => system.WithExtension<PubSubClient, PubSubClientProvider>();

    /// <summary>The topic shard region (or proxy), for actor-native use of the protocol messages.</summary>
    public IActorRef TopicRegion => _region;

    public Task<PublishReceipt> PublishAsync<T>(string topic, T message, PublishOptions? options = null,
        CancellationToken cancellationToken = default) where T : notnull
    {
        var payload = Prepare(topic, message, options);
        var completion = new TaskCompletionSource<PublishReceipt>(TaskCreationOptions.RunContinuationsAsynchronously);
        _publishes.Enqueue(new PublisherActor.Send(topic, payload, options?.Key, options?.Headers, options?.MessageId, completion));
        // One flush request per burst: the publisher drains the queue and sends it to the topics in batches.
        if (Interlocked.CompareExchange(ref _publishes.FlushRequested, 1, 0) == 0)
            _publisher.Tell(PublisherActor.FlushPublishes.Instance);
        return cancellationToken.CanBeCanceled ? completion.Task.WaitAsync(cancellationToken) : completion.Task;
    }

    public void PublishTransient<T>(string topic, T message, PublishOptions? options = null) where T : notnull
    {
        var payload = Prepare(topic, message, options);
        var queue = _transient.GetOrAdd(topic, static t => new TransientQueue(t));
        queue.Messages.Enqueue(new TopicMessage(0, DateTime.UtcNow, payload, options?.Key, options?.Headers, options?.MessageId));
        // One flush request per burst: the publisher drains the whole queue into batches.
        if (Interlocked.CompareExchange(ref queue.FlushRequested, 1, 0) == 0)
            _publisher.Tell(new PublisherActor.FlushTransient(queue));
    }

    public async Task<SubscriptionCreated> CreateSubscriptionAsync(string topic, string subscription, SubscriptionOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        TopicNames.EnsureTopic(topic);
        TopicNames.EnsureSubscription(subscription);
        options ??= new SubscriptionOptions();
        return await RequestAsync<SubscriptionCreated>(
            new CreateSubscription(topic, subscription, options.Start, options.AckDeadline ?? TimeSpan.Zero), cancellationToken);
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

    public async Task<ISubscription> SubscribeAsync<T>(string topic, string subscription, Func<Delivery<T>, CancellationToken, Task> handler,
        SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        options ??= new SubscriptionOptions();
        var settings = (_consumerSettings with
        {
            MaxInFlight = options.MaxInFlight ?? _consumerSettings.MaxInFlight,
            HandlerTimeout = options.HandlerTimeout ?? _consumerSettings.HandlerTimeout,
        }).Validate();
        await CreateSubscriptionAsync(topic, subscription, options, cancellationToken);

        SubscriberActor.Handler run = (message, attempt, ct) =>
        {
            var body = _system.Serialization.Deserialize(message.Payload.Bytes, message.Payload.SerializerId, message.Payload.Manifest);
            if (body is not T typed)
                throw new InvalidCastException(
                    $"Message #{message.Sequence} of topic '{topic}' is a {body?.GetType().FullName ?? "null"}; this handler takes {typeof(T).FullName}.");
            return handler(new Delivery<T>(topic, subscription, message.Sequence, attempt, message.Timestamp, typed,
                message.Key, message.Headers, message.MessageId), ct);
        };
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var name = $"actorpubsub-consumer-{Interlocked.Increment(ref _consumerCounter)}";
        var actor = _system.SystemActorOf(SubscriberActor.Props(_region, topic, subscription, run, settings, completion), name);
        return new RunningSubscription(topic, subscription, actor, completion.Task);
    }

    /// <summary>The edge checks of a publish (topic name, size) and its serialized payload.</summary>
    private Payload Prepare<T>(string topic, T message, PublishOptions? options) where T : notnull
    {
        TopicNames.EnsureTopic(topic);
        ArgumentNullException.ThrowIfNull(message);
        var payload = Serialize(message);
        var size = MessageSize.Of(payload, options?.Key, options?.Headers, options?.MessageId);
        if (size > _settings.MaxMessageSize)
            throw new ArgumentException(
                $"The message is {size} bytes serialized (payload, key, headers and id); max-message-size allows {_settings.MaxMessageSize}.",
                nameof(message));
        return payload;
    }

    private Payload Serialize(object message)
    {
        var serializer = _system.Serialization.FindSerializerFor(message);
        return new Payload(serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, message), serializer.ToBinary(message));
    }

    /// <summary>
    /// Asks the topic and retries on timeout: a request dropped by sharding during a hand-off is sent again.
    /// All these requests are idempotent.
    /// </summary>
    private async Task<TReply> RequestAsync<TReply>(ITopicCommand request, CancellationToken cancellationToken)
    {
        var giveUp = DateTime.UtcNow + _settings.RequestTimeout;
        var attemptTimeout = TimeSpan.FromTicks(Math.Max(_settings.ResendAfter.Ticks, TimeSpan.FromMilliseconds(500).Ticks));
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            object reply;
            try
            {
                reply = await _region.Ask<object>(request, attemptTimeout, cancellationToken);
            }
            catch (AskTimeoutException) when (DateTime.UtcNow < giveUp)
            {
                continue;
            }
            catch (AskTimeoutException)
            {
                throw new TimeoutException($"Topic '{request.Topic}' did not answer {request.GetType().Name} within {_settings.RequestTimeout}.");
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
        new(system, ActorRegistry.For(system).Get<TopicRegion>());
}
