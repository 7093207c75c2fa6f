using System.Collections.Immutable;

namespace ActorPubSub.Client;

/// <summary>Optional properties of one publish.</summary>
public sealed record PublishOptions
{
    /// <summary>Key of the message (kept and delivered with it). <b>Default:</b> none.</summary>
    public string? Key { get; init; }

    /// <summary>String headers (kept and delivered with the message). <b>Default:</b> none.</summary>
    public ImmutableDictionary<string, string>? Headers { get; init; }

    /// <summary>Your own id of the message, delivered with it. <b>Default:</b> none.</summary>
    public string? MessageId { get; init; }
}
