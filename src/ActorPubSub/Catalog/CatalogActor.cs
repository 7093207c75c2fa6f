using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorPubSub.Catalog;

/// <summary>
/// The topic catalogue: one persistent actor for the whole cluster, run as a cluster singleton (on the oldest topic
/// node) and stored in the topics' journal. Every change is one <see cref="ContractChanged"/> event holding the topic's
/// whole entry, and is pushed to every node's <see cref="CatalogWatcher"/>, so publishes check contracts without asking.
/// </summary>
public sealed class CatalogActor : ReceivePersistentActor
{
    /// <summary>The catalogue's persistence id (one per cluster).</summary>
    public const string Id = "actorpubsub-catalog";

    private readonly CatalogSettings _settings;
    private readonly HashSet<IActorRef> _watchers = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ImmutableSortedDictionary<string, TopicContract> _contracts = ImmutableSortedDictionary.Create<string, TopicContract>(StringComparer.Ordinal);
    private long _nextSchemaId = 1;

    public override string PersistenceId => Id;

    public static Props Props(CatalogSettings settings) => Akka.Actor.Props.Create(() => new CatalogActor(settings));

    public CatalogActor(CatalogSettings settings)
    {
        _settings = settings;
        JournalPluginId = settings.JournalPluginId;
        SnapshotPluginId = settings.SnapshotPluginId;

        Recover<ContractChanged>(e => Apply(e.Contract));
        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is not CatalogSnapshot snapshot) return;
            foreach (var contract in snapshot.Contracts) Apply(contract);
        });

        Command<RegisterSchema>(Register);
        Command<SetTopicInfo>(Set);
        Command<GetContract>(get => Sender.Tell(new ContractFound(get.Topic, _contracts.GetValueOrDefault(get.Topic))));
        Command<ListContracts>(_ => Sender.Tell(List()));
        Command<WatchCatalog>(watch =>
        {
            if (_watchers.Add(watch.Watcher)) Context.Watch(watch.Watcher);
            if (watch.KnownRevision != LastSequenceNr) watch.Watcher.Tell(List());
        });
        Command<Terminated>(t => _watchers.Remove(t.ActorRef));
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning(f.Cause, "The catalogue's snapshot failed; it is taken again after {0} more changes.", _settings.SnapshotEvery));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    private ContractList List() => new(LastSequenceNr, [.. _contracts.Values]);

    private void Apply(TopicContract contract)
    {
        _contracts = _contracts.SetItem(contract.Topic, contract);
        foreach (var version in contract.Versions) _nextSchemaId = Math.Max(_nextSchemaId, version.Id + 1);
    }

    private void Register(RegisterSchema request)
    {
        var current = _contracts.GetValueOrDefault(request.Topic);
        var (updated, version, unchanged, refused) = CatalogEntryRules.Register(current, request, _nextSchemaId, DateTime.UtcNow);
        if (refused is not null)
        {
            Sender.Tell(refused);
            return;
        }
        if (request.DryRun || (unchanged && current is not null && updated!.SameAs(current)))
        {
            Sender.Tell(new SchemaRegistered(updated!, version, request.DryRun, unchanged));
            return;
        }
        Store(updated!, new SchemaRegistered(updated!, version, DryRun: false, unchanged));
    }

    private void Set(SetTopicInfo request)
    {
        var current = _contracts.GetValueOrDefault(request.Topic);
        var (updated, refused) = CatalogEntryRules.Set(current, request);
        if (refused is not null) Sender.Tell(refused);
        else if (current is not null && updated!.SameAs(current)) Sender.Tell(new TopicInfoUpdated(current));
        else Store(updated!, new TopicInfoUpdated(updated!));
    }

    /// <summary>Persists the entry, then answers and pushes it: nothing is announced that a restart could lose.</summary>
    private void Store(TopicContract contract, object reply)
    {
        var sender = Sender;
        Persist(new ContractChanged(contract), e =>
        {
            Apply(e.Contract);
            var changed = new CatalogChanged(LastSequenceNr, e.Contract);
            foreach (var watcher in _watchers) watcher.Tell(changed);
            sender.Tell(reply);
            if (LastSequenceNr % _settings.SnapshotEvery == 0) SaveSnapshot(new CatalogSnapshot([.. _contracts.Values]));
        });
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "The catalogue's journal refused change {0}.", sequenceNr);
        base.OnPersistRejected(cause, @event, sequenceNr);
    }
}
