using Akka.Configuration;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Hosting;

/// <summary>The embedded reference.conf: every ActorPubSub default.</summary>
public static class PubSubConfig
{
    private static readonly Lazy<Config> Reference = new(() =>
    {
        using var stream = typeof(PubSubConfig).Assembly.GetManifestResourceStream("ActorPubSub.reference.conf")
                           ?? throw new InvalidOperationException("ActorPubSub.reference.conf is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    });

    public static Config Default => Reference.Value;

    /// <summary>
    /// What every ActorPubSub ActorSystem (node, lighthouse, embedded and client) binds instead of Akka's type-name JSON
    /// fallback, added with <see cref="Akka.Hosting.HoconAddMode.Append"/> (a user's own HOCON, prepended, wins):
    /// <list type="bullet">
    /// <item><c>allow-unregistered-types = off</c>: a type without a serializer binding fails to serialize (sending it
    /// fails with Akka's error, publishing it with ours naming the fix) instead of falling back to JSON.</item>
    /// <item>Akka's <c>json</c> serializer (id 1, Newtonsoft with <c>TypeNameHandling.All</c> and no binder) is replaced by
    /// <see cref="Client.RefusedJsonSerializer"/>: a message a peer sends with id 1 — whatever type its bytes name — is
    /// not deserialized (Akka.Remote logs and drops it). <c>System.Object</c> stays bound to that slot, so even an
    /// explicit binding to <c>json</c> or to <c>object</c> never reads type names.</item>
    /// <item>Akka.Remote's <c>daemon-create</c> serializer (id 3, remote deployment) is replaced by
    /// <see cref="Client.RefusedRemoteDeploySerializer"/>: no peer creates an actor on this process.</item>
    /// </list>
    /// Akka's own remote messages (cluster, sharding, distributed data, remoting, persistence) have serializers of their own
    /// and are unaffected; strings, 32/64-bit integers, byte arrays and Google.Protobuf messages keep theirs.
    /// </summary>
    public const string PeerSafeSerialization = """
        akka.actor {
          serialization-settings.allow-unregistered-types = off
          serializers.json = "ActorPubSub.Client.RefusedJsonSerializer, ActorPubSub"
          serializers.daemon-create = "ActorPubSub.Client.RefusedRemoteDeploySerializer, ActorPubSub"
          serialization-identifiers {
            "ActorPubSub.Client.RefusedJsonSerializer, ActorPubSub" = 1
            "ActorPubSub.Client.RefusedRemoteDeploySerializer, ActorPubSub" = 3
          }
        }
        """;
}
