using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using ActorPubSub.Catalog;
using ActorPubSub.Messages;

namespace ActorPubSub.Client;

/// <summary>
/// The schema versions a consumer reads (<see cref="ConsumerOptions.AcceptedSchemaVersions"/>): a message of another
/// version, or of none, is refused with <see cref="UnprocessableMessageException"/>, so it is dead-lettered at once with
/// the reason instead of being retried (its version never changes).
/// </summary>
internal sealed class SchemaVersionFilter
{
    private readonly FrozenSet<int> _accepted;
    private readonly string _list;

    private SchemaVersionFilter(FrozenSet<int> accepted)
    {
        _accepted = accepted;
        _list = string.Join(", ", accepted.Order());
    }

    /// <summary>The filter of <paramref name="versions"/> (null: every message); an <see cref="ArgumentException"/> for a bad set.</summary>
    public static SchemaVersionFilter? Create(IReadOnlyCollection<int>? versions)
    {
        if (versions is null) return null;
        if (versions.Count == 0)
            throw new ArgumentException("ConsumerOptions.AcceptedSchemaVersions is empty, so no message could be read; leave it unset " +
                                        "to read every message, or list the versions (1 or more) this consumer reads.", "consumerOptions");
        foreach (var bad in versions.Where(v => v < 1))
            throw new ArgumentException($"ConsumerOptions.AcceptedSchemaVersions holds {bad}; schema versions are 1 or more.", "consumerOptions");
        return new SchemaVersionFilter(versions.ToFrozenSet());
    }

    /// <summary>The version a message was checked against at publish (its <c>schema-version</c> header), or null.</summary>
    public static int? Of(ImmutableDictionary<string, string>? headers) =>
        headers is not null && headers.TryGetValue(TopicContractCheck.SchemaVersionHeader, out var text) &&
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0
            ? version
            : null;

    /// <summary>Throws <see cref="UnprocessableMessageException"/> unless <paramref name="version"/> is accepted.</summary>
    public void Check(int? version, TopicMessage message, string topic)
    {
        if (version is { } v && _accepted.Contains(v)) return;
        throw new UnprocessableMessageException(
            $"Refused message #{message.Sequence} of topic '{topic}': it is of schema version {(version is null ? "none (not checked at publish)" : version.Value.ToString(CultureInfo.InvariantCulture))}, " +
            $"and this consumer reads only schema version(s) {_list} (ConsumerOptions.AcceptedSchemaVersions).");
    }
}
