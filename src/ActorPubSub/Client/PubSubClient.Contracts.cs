using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using ActorPubSub.Catalog;
using ActorPubSub.Topics;

namespace ActorPubSub.Client;

/// <summary>The client's part of the topic catalogue: its requests, and the contract check of a publish.</summary>
public sealed partial class PubSubClient
{
    /// <summary>The header a validated publish carries: the schema version its payload was checked against.</summary>
    public const string SchemaVersionHeader = TopicContractCheck.SchemaVersionHeader;

    /// <summary>
    /// Checks <paramref name="message"/> against the topic's current schema when the topic validates: enforce throws
    /// <see cref="PubSubRejectedException"/> (ContractViolation, naming the first failing path) before anything is sent;
    /// warn counts and logs (rate-limited) and publishes. Either way the headers gain the schema version checked against.
    /// </summary>
    private ImmutableDictionary<string, string>? CheckContract<T>(string topic, T message, ImmutableDictionary<string, string>? headers)
        where T : notnull
    {
        if (_contracts.Find(topic) is not { Validation: not ValidationMode.Off } contract) return headers;
        if (contract.Check(message) is { } failure)
        {
            ContractMetrics.Violation(topic, contract.Validation);
            if (contract.Validation == ValidationMode.Enforce)
                throw new PubSubRejectedException(RejectionCode.ContractViolation,
                    $"The message does not match schema version {contract.Version} of topic '{topic}' (validation enforce) at {failure}; nothing was stored.");
            if (contract.ShouldWarn(CatalogSettingsOf().WarnLogInterval))
                _system.Log.Warning("Topic '{0}' (validation warn): a published message does not match schema version {1} at {2}; it was stored.",
                    topic, contract.Version, failure);
        }
        return (headers ?? ImmutableDictionary<string, string>.Empty).SetItem(SchemaVersionHeader, contract.VersionText);
    }

    private CatalogSettings? _catalogSettings;

    private CatalogSettings CatalogSettingsOf() => _catalogSettings ??= CatalogSettings.Create(_system);

    public async Task<SchemaRegistered> RegisterSchemaAsync(string topic, string schema, CompatibilityMode? compatibility = null,
        ValidationMode? validation = null, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        TopicNames.EnsureTopic(topic);
        if (SchemaDocument.Validate(schema) is { } error) throw new ArgumentException(error, nameof(schema));
        return await RegisterAsync(new RegisterSchema(topic, schema, compatibility, validation, dryRun), cancellationToken);
    }

    private async Task<SchemaRegistered> RegisterAsync(RegisterSchema request, CancellationToken cancellationToken)
    {
        TopicNames.EnsureTopic(request.Topic);
        if (request.Format == SchemaFormat.Protobuf && ProtobufSchema.Validate(request.Schema, request.MessageType) is { } error)
            throw new ArgumentException(error, "fileDescriptorSet");
        var registered = await AskCatalogAsync<SchemaRegistered>(request, request.Topic, cancellationToken);
        // This node validates with the new version at once, not only once the catalogue's push arrives.
        if (!request.DryRun) _contracts.Update(registered.Contract);
        return registered;
    }

    public Task<SchemaRegistered> RegisterSchemaAsync<T>(string topic, CompatibilityMode? compatibility = null,
        ValidationMode? validation = null, bool dryRun = false, CancellationToken cancellationToken = default) =>
        RegisterSchemaAsync(topic, PayloadJson.SchemaFor(typeof(T)), compatibility, validation, dryRun, cancellationToken);

    public Task<SchemaRegistered> RegisterProtobufSchemaAsync(string topic, byte[] fileDescriptorSet, string messageType,
        CompatibilityMode? compatibility = null, ValidationMode? validation = null, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileDescriptorSet);
        return RegisterAsync(new RegisterSchema(topic, Convert.ToBase64String(fileDescriptorSet), compatibility, validation, dryRun,
            SchemaFormat.Protobuf, messageType), cancellationToken);
    }

    public Task<SchemaRegistered> RegisterProtobufSchemaAsync<T>(string topic, CompatibilityMode? compatibility = null,
        ValidationMode? validation = null, bool dryRun = false, CancellationToken cancellationToken = default)
        where T : Google.Protobuf.IMessage<T>, new()
    {
        var descriptor = new T().Descriptor;
        return RegisterAsync(new RegisterSchema(topic, ProtobufSchema.DescriptorSetOf(descriptor), compatibility, validation, dryRun,
            SchemaFormat.Protobuf, descriptor.FullName), cancellationToken);
    }

    public async Task<TopicContract?> GetContractAsync(string topic, CancellationToken cancellationToken = default)
    {
        TopicNames.EnsureTopic(topic);
        return (await AskCatalogAsync<ContractFound>(new GetContract(topic), topic, cancellationToken)).Contract;
    }

    public async Task<IReadOnlyList<TopicContract>> ListContractsAsync(CancellationToken cancellationToken = default) =>
        (await AskCatalogAsync<ContractList>(ListContracts.Instance, null, cancellationToken)).Contracts;

    public async Task<TopicContract> SetTopicInfoAsync(string topic, string? owner = null, string? description = null, IEnumerable<string>? tags = null,
        CompatibilityMode? compatibility = null, ValidationMode? validation = null, CancellationToken cancellationToken = default)
    {
        TopicNames.EnsureTopic(topic);
        var request = new SetTopicInfo(topic, owner, description, tags is null ? null : [.. tags], compatibility, validation);
        var updated = await AskCatalogAsync<TopicInfoUpdated>(request, topic, cancellationToken);
        _contracts.Update(updated.Contract);
        return updated.Contract;
    }

    /// <summary>Asks the catalogue singleton; a refusal becomes <see cref="PubSubRejectedException"/>.</summary>
    private async Task<TReply> AskCatalogAsync<TReply>(ICatalogWireMessage request, string? topic, CancellationToken cancellationToken)
    {
        _lifetime.ThrowIfClosed();
        if (!ActorRegistry.For(_system).TryGet<CatalogSingleton>(out var catalog))
            throw new NotSupportedException(
                "This client has no route to the topic catalogue: it is reached from cluster members (WithActorPubSub), not through a ClusterClient.");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Closing);
        object reply;
        try
        {
            reply = await catalog.Ask<object>(request, CatalogSettingsOf().RequestTimeout, linked.Token);
        }
        catch (OperationCanceledException) when (_lifetime.IsClosed && !cancellationToken.IsCancellationRequested)
        {
            throw _lifetime.Unavailable();
        }
        catch (AskTimeoutException)
        {
            throw new TimeoutException(
                $"The topic catalogue did not answer {request.GetType().Name}{(topic is null ? "" : $" for topic '{topic}'")} within {CatalogSettingsOf().RequestTimeout}.");
        }
        return reply switch
        {
            TReply ok => ok,
            CatalogRejected { Rule: not null } r => throw new PubSubRejectedException(RejectionCode.IncompatibleSchema, r.Reason),
            CatalogRejected r => throw new PubSubRejectedException(RejectionCode.Invalid, r.Reason),
            _ => throw new InvalidOperationException($"Unexpected reply {reply.GetType().Name} to {request.GetType().Name}."),
        };
    }
}
