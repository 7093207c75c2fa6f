using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;

namespace ActorPubSub.Catalog;

/// <summary>
/// This node's copy of the topics' contracts, kept by its <see cref="CatalogWatcher"/> from the catalogue's pushes, so a
/// publish checks its payload without a round trip. While no topic has validation on, <see cref="Active"/> is false and
/// a publish reads that one field and nothing else.
/// </summary>
public sealed class ContractCache : IExtension
{
    private readonly ILoggingAdapter _log;
    private volatile ImmutableDictionary<string, CompiledContract> _contracts = ImmutableDictionary.Create<string, CompiledContract>(StringComparer.Ordinal);
    private volatile bool _active;

    internal ContractCache(ExtendedActorSystem system) => _log = Logging.GetLogger(system, typeof(ContractCache));

    /// <summary>The cache of <paramref name="system"/> (empty until a catalogue watcher feeds it).</summary>
    public static ContractCache Get(ActorSystem system) => system.WithExtension<ContractCache, ContractCacheProvider>();

    /// <summary>True when at least one topic validates publishes (warn or enforce).</summary>
    public bool Active => _active;

    /// <summary>The topic's contract when it validates publishes; null when it does not (or the cache has not heard of it).</summary>
    public CompiledContract? Find(string topic) => _contracts.GetValueOrDefault(topic);

    /// <summary>Every entry the cache holds (validating or not), for reading.</summary>
    public IEnumerable<TopicContract> Entries => _contracts.Values.Select(c => c.Contract);

    /// <summary>Replaces everything with <paramref name="contracts"/> (a full list from the catalogue).</summary>
    public void Replace(IEnumerable<TopicContract> contracts)
    {
        var before = _contracts;
        var builder = ImmutableDictionary.CreateBuilder<string, CompiledContract>(StringComparer.Ordinal);
        foreach (var contract in contracts)
            if (Newer(before, contract) is { } kept) builder[contract.Topic] = kept;
            else if (Compile(contract) is { } compiled) builder[contract.Topic] = compiled;
        Publish(builder.ToImmutable());
    }

    /// <summary>Sets one topic's entry (a change pushed by the catalogue, or the answer to this node's own registration).</summary>
    public void Update(TopicContract contract)
    {
        // One writer (the watcher) plus a client's own registration: compare-and-swap keeps both.
        while (true)
        {
            var before = _contracts;
            if (Newer(before, contract) is not null) return;
            var after = Compile(contract) is { } compiled ? before.SetItem(contract.Topic, compiled) : before.Remove(contract.Topic);
            if (Interlocked.CompareExchange(ref _contracts, after, before) == before)
            {
                _active = after.Values.Any(c => c.Validation != ValidationMode.Off);
                return;
            }
        }
    }

    /// <summary>
    /// The cached entry when it has a newer schema version than <paramref name="contract"/>: a push or list the catalogue
    /// sent before this client's own registration may arrive after it, and must not take the cache back a version.
    /// </summary>
    private static CompiledContract? Newer(ImmutableDictionary<string, CompiledContract> cached, TopicContract contract) =>
        cached.TryGetValue(contract.Topic, out var held) && held.Version > (contract.Current?.Version ?? 0) ? held : null;

    private void Publish(ImmutableDictionary<string, CompiledContract> contracts)
    {
        _contracts = contracts;
        _active = contracts.Values.Any(c => c.Validation != ValidationMode.Off);
    }

    private CompiledContract? Compile(TopicContract contract)
    {
        try
        {
            return CompiledContract.Of(contract);
        }
        catch (Exception e)
        {
            // The catalogue compiled it at registration; a library that reads it otherwise here must not stop publishing.
            _log.Error(e, "The schema of topic '{0}' (version {1}) does not compile on this node; its publishes are not validated.",
                contract.Topic, contract.Current?.Version);
            return null;
        }
    }
}

/// <summary>Creates the one <see cref="ContractCache"/> of an ActorSystem.</summary>
public sealed class ContractCacheProvider : ExtensionIdProvider<ContractCache>
{
    public override ContractCache CreateExtension(ExtendedActorSystem system) => new(system);
}
