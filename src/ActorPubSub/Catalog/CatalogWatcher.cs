using Akka.Actor;

namespace ActorPubSub.Catalog;

/// <summary>
/// Keeps this node's <see cref="ContractCache"/> current: asks the catalogue (through the singleton proxy) to push its
/// changes here, takes a full list whenever it missed one, and renews the watch every watch-interval so that a catalogue
/// that moved to another node (or restarted) learns of this node again within that interval.
/// </summary>
public sealed class CatalogWatcher : ReceiveActor, IWithTimers
{
    /// <summary>The actor's name under /system.</summary>
    public const string Name = "actorpubsub-catalog-watcher";

    private const string RenewTimer = "renew";
    private readonly IActorRef _catalog;
    private readonly ContractCache _cache;
    private long _revision = -1;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef catalog, ContractCache cache, CatalogSettings settings) =>
        Akka.Actor.Props.Create(() => new CatalogWatcher(catalog, cache, settings));

    public CatalogWatcher(IActorRef catalog, ContractCache cache, CatalogSettings settings)
    {
        _catalog = catalog;
        _cache = cache;
        Receive<Renew>(_ => _catalog.Tell(new WatchCatalog(Self, _revision)));
        Receive<ContractList>(list =>
        {
            _cache.Replace(list.Contracts);
            _revision = list.Revision;
        });
        Receive<CatalogChanged>(changed =>
        {
            if (changed.Revision <= _revision) return;
            _cache.Update(changed.Contract);
            // A gap (a push lost, or sent before this node watched): keep the old revision, so the next renewal brings
            // the whole list.
            if (changed.Revision == _revision + 1) _revision = changed.Revision;
        });
        Self.Tell(Renew.Instance);
        Timers.StartPeriodicTimer(RenewTimer, Renew.Instance, settings.WatchInterval);
    }

    private sealed class Renew
    {
        public static readonly Renew Instance = new();
    }
}
