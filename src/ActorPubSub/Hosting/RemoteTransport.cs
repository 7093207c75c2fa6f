namespace ActorPubSub.Hosting;

/// <summary>
/// Which TCP transport Akka.Remote runs (<c>akka.remote.dot-netty.tcp.transport-class</c>). Both read the same
/// <c>akka.remote.dot-netty.tcp</c> settings and speak the same wire, so members and clients on either one form one
/// cluster. With TLS on (<c>enable-ssl</c>) both run Akka's DotNetty transport.
/// </summary>
public enum RemoteTransport
{
    /// <summary>
    /// ActorPubSub's own transport on .NET sockets: frames leave on the writer's thread from a pooled buffer and are
    /// read into a pooled one (docs/benchmarks.md measures it against the other). The default.
    /// </summary>
    Sockets = 0,

    /// <summary>Akka.Remote's own DotNetty transport, as a plain Akka.NET system runs it.</summary>
    DotNetty = 1,
}
