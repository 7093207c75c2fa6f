using Microsoft.Extensions.Logging;

namespace ActorPubSub.Server.Security;

/// <summary>The start-up line saying that remoting runs mutual TLS.</summary>
internal static partial class RemotingTlsLog
{
    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "Akka.Remote uses {Description}")]
    public static partial void Enabled(ILogger logger, string description);
}
