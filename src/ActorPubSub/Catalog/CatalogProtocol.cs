using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;

namespace ActorPubSub.Catalog;

/// <summary>Marks the catalogue's messages (commands, answers, pushes, events, snapshots): <see cref="CatalogSerializer"/> writes them.</summary>
public interface ICatalogWireMessage;

/// <summary>
/// Registers <paramref name="Schema"/> as the topic's next version after checking it against the registered ones with
/// the topic's compatibility mode (or <paramref name="Compatibility"/>, which also becomes the topic's mode).
/// <paramref name="DryRun"/> only checks. Answer: <see cref="SchemaRegistered"/> or <see cref="CatalogRejected"/>.
/// Registering the current version again changes nothing and answers with it (idempotent). A
/// <see cref="SchemaFormat.Protobuf"/> schema is the base64 of a <c>FileDescriptorSet</c> and names its
/// <paramref name="MessageType"/>.
/// </summary>
public sealed record RegisterSchema(string Topic, string Schema, CompatibilityMode? Compatibility = null,
    ValidationMode? Validation = null, bool DryRun = false, SchemaFormat Format = SchemaFormat.Json, string? MessageType = null) : ICatalogWireMessage;


/// <summary>
/// Sets the topic's descriptive information and modes; a null value stays as it is. Answer: <see cref="TopicInfoUpdated"/>
/// or <see cref="CatalogRejected"/>.
/// </summary>
public sealed record SetTopicInfo(string Topic, string? Owner = null, string? Description = null, ImmutableArray<string>? Tags = null,
    CompatibilityMode? Compatibility = null, ValidationMode? Validation = null) : ICatalogWireMessage;

/// <summary>The topic's entry as stored.</summary>
public sealed record TopicInfoUpdated(TopicContract Contract) : ICatalogWireMessage;

/// <summary>Reads a topic's entry. Answer: <see cref="ContractFound"/> (its contract null when the catalogue has nothing on it).</summary>
public sealed record GetContract(string Topic) : ICatalogWireMessage;

/// <summary>The topic's entry, or null when the catalogue has none.</summary>
public sealed record ContractFound(string Topic, TopicContract? Contract) : ICatalogWireMessage;

/// <summary>Reads every entry. Answer: <see cref="ContractList"/>.</summary>
public sealed record ListContracts : ICatalogWireMessage
{
    public static readonly ListContracts Instance = new();
}

/// <summary>Every topic the catalogue has an entry for, by name.</summary>
public sealed record ContractList(long Revision, ImmutableArray<TopicContract> Contracts) : ICatalogWireMessage;

/// <summary>
/// The catalogue refused a request. <paramref name="Field"/> and <paramref name="Rule"/> are set when a compatibility
/// rule refused a schema (the field and the rule it breaks); <paramref name="Reason"/> says what was wrong and what is allowed.
/// </summary>
public sealed record CatalogRejected(string Topic, string Reason, string? Field = null, string? Rule = null) : ICatalogWireMessage;

/// <summary>
/// A node's contract cache asks for the catalogue's changes: the catalogue remembers <paramref name="Watcher"/> (until it
/// terminates) and, when its revision is not <paramref name="KnownRevision"/>, sends it a <see cref="ContractList"/>.
/// Sent again periodically, so a catalogue that moved to another node learns its watchers again.
/// </summary>
public sealed record WatchCatalog(IActorRef Watcher, long KnownRevision) : ICatalogWireMessage, IDeadLetterSuppression;

/// <summary>Pushed to every watcher when an entry changed; <paramref name="Revision"/> grows with every change.</summary>
public sealed record CatalogChanged(long Revision, TopicContract Contract) : ICatalogWireMessage, IDeadLetterSuppression;

/// <summary>The journal event: the topic's entry as it is from now on.</summary>
public sealed record ContractChanged(TopicContract Contract) : ICatalogWireMessage;

/// <summary>The snapshot: every entry.</summary>
public sealed record CatalogSnapshot(ImmutableArray<TopicContract> Contracts) : ICatalogWireMessage;
