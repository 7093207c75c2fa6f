namespace ActorPubSub.Tests.Faults;

/// <summary>Where a broker of a <see cref="BrokerCluster"/> runs.</summary>
/// <param name="Host">The address it binds and advertises (its Akka.Remote and web server address).</param>
/// <param name="ConnectionString">Its PostgreSQL connection string (a broker in a network namespace reaches the server through a forwarder).</param>
/// <param name="Launcher">A command that execs <c>dotnet</c> elsewhere, e.g. <c>ip netns exec ns1</c>; null: started directly.</param>
public sealed record BrokerPlacement(string Host, string ConnectionString, IReadOnlyList<string>? Launcher = null);
