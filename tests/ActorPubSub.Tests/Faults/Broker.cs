
namespace ActorPubSub.Tests.Faults;

/// <summary>
/// One broker node of a <see cref="BrokerCluster"/>: a fixed address (so a restart is a new incarnation of the same
/// member address, as a Kubernetes pod would be), the environment it starts with, and its current process.
/// </summary>
public sealed class Broker
{
    internal Broker(int number, string host, int port, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string>? launcher)
    {
        (Number, Host, Port, Environment, Launcher) = (number, host, port, environment, launcher);
    }

    public int Number { get; }
    public string Name => $"broker-{Number}";
    public string Host { get; }
    public int Port { get; }

    /// <summary>The member address, as <c>TopicInfo.Node</c> and cluster membership name it.</summary>
    public string Address => $"akka.tcp://{BrokerCluster.SystemName}@{Host}:{Port}";

    internal IReadOnlyDictionary<string, string> Environment { get; }
    internal IReadOnlyList<string>? Launcher { get; }

    /// <summary>The current process (a new one after each restart).</summary>
    public ServiceProcess Process { get; internal set; } = null!;

    /// <summary>The web server (health) of the current process.</summary>
    public Uri Http { get; internal set; } = null!;

    /// <summary>Every process this broker ran, for the transcripts when a test fails.</summary>
    internal List<ServiceProcess> Incarnations { get; } = [];

    public void Signal(int signal) => Process.Signal(signal);

    public override string ToString() => $"{Name} ({Host}:{Port})";
}
