using System.Globalization;
using System.Net;

namespace ActorPubSub.Tests.Faults;

/// <summary>
/// A private test network for network partitions: a bridge of its own with two addresses on the host side (the
/// lighthouse and the client at <c>.1</c>, a PostgreSQL forwarder at <c>.3</c>) and one network namespace per broker
/// (<c>.11</c>, <c>.12</c>, ...) attached to it by a veth pair. <see cref="Isolate"/> cuts a broker off from every
/// member with iptables DROP rules inside its namespace (the database forwarder stays reachable: a partition between
/// the members, not from the storage); <see cref="Heal"/> removes them. Addresses are in a 10.x.y.0/24 that no
/// interface or route of the machine uses; the machine's own interfaces are never touched. Needs root, iproute2 and
/// iptables; when namespaces cannot be made, it fails with what failed.
/// </summary>
public sealed class PartitionNetwork : IDisposable
{
    private readonly string _id = Convert.ToHexString(Guid.NewGuid().ToByteArray()[..2]).ToLowerInvariant();
    private readonly string _prefix;
    private readonly List<string> _namespaces = [];
    private readonly List<string> _links = [];
    private bool _forwardRule;

    private PartitionNetwork(string prefix) => _prefix = prefix;

    private string Bridge => $"apsb{_id}";

    /// <summary>The host side's address: lighthouse and client.</summary>
    public string HostAddress => $"{_prefix}.1";

    /// <summary>The host side's second address, for the database forwarder (left reachable by a partition).</summary>
    public IPAddress StorageAddress => IPAddress.Parse($"{_prefix}.3");

    public string BrokerAddress(int number) => $"{_prefix}.{10 + number}";

    /// <summary>The command that runs a program in broker <paramref name="number"/>'s namespace (it execs: the pid stays).</summary>
    public IReadOnlyList<string> Launcher(int number) => ["ip", "netns", "exec", Namespace(number)];

    /// <summary>Builds the bridge and one namespace per broker.</summary>
    public static PartitionNetwork Create(int brokers)
    {
        var network = new PartitionNetwork(FreeSubnet());
        try
        {
            network.Build(brokers);
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Drops every packet between broker <paramref name="number"/> and the other members, both ways.</summary>
    public void Isolate(int number)
    {
        var ns = Namespace(number);
        var storage = StorageAddress.ToString();
        Run("ip", "netns", "exec", ns, "iptables", "-A", "INPUT", "-s", storage, "-j", "ACCEPT");
        Run("ip", "netns", "exec", ns, "iptables", "-A", "INPUT", "-s", $"{_prefix}.0/24", "-j", "DROP");
        Run("ip", "netns", "exec", ns, "iptables", "-A", "OUTPUT", "-d", storage, "-j", "ACCEPT");
        Run("ip", "netns", "exec", ns, "iptables", "-A", "OUTPUT", "-d", $"{_prefix}.0/24", "-j", "DROP");
    }

    /// <summary>Removes the DROP rules of broker <paramref name="number"/> (its namespace has no other rules).</summary>
    public void Heal(int number)
    {
        Run("ip", "netns", "exec", Namespace(number), "iptables", "-F", "INPUT");
        Run("ip", "netns", "exec", Namespace(number), "iptables", "-F", "OUTPUT");
    }

    private string Namespace(int number) => $"aps{_id}-{number}";

    private void Build(int brokers)
    {
        try
        {
            Run("ip", "link", "add", Bridge, "type", "bridge");
        }
        catch (Xunit.Sdk.XunitException e)
        {
            throw new Xunit.Sdk.XunitException(
                "The network partition test cannot build its test network here (it needs root, iproute2 and iptables; ./test.sh " +
                $"installs the tools): {e.Message}");
        }
        Run("ip", "addr", "add", $"{HostAddress}/24", "dev", Bridge);
        Run("ip", "addr", "add", $"{StorageAddress}/24", "dev", Bridge);
        Run("ip", "link", "set", Bridge, "up");
        // Bridged packets between the namespaces pass the host's FORWARD chain when br_netfilter is loaded; a machine
        // whose FORWARD policy drops (Docker sets that) would cut the brokers off from each other from the start.
        if (!Run("iptables", "-S", "FORWARD").Contains("-P FORWARD ACCEPT", StringComparison.Ordinal))
        {
            Run("iptables", "-I", "FORWARD", "-i", Bridge, "-o", Bridge, "-j", "ACCEPT");
            _forwardRule = true;
        }
        for (var n = 1; n <= brokers; n++)
        {
            var ns = Namespace(n);
            Run("ip", "netns", "add", ns);
            _namespaces.Add(ns);
            var (host, peer) = ($"apsv{_id}{n}", $"apsp{_id}{n}");
            Run("ip", "link", "add", host, "type", "veth", "peer", "name", peer, "netns", ns);
            _links.Add(host);
            Run("ip", "link", "set", host, "master", Bridge);
            Run("ip", "link", "set", host, "up");
            Run("ip", "-n", ns, "addr", "add", $"{BrokerAddress(n)}/24", "dev", peer);
            Run("ip", "-n", ns, "link", "set", peer, "up");
            Run("ip", "-n", ns, "link", "set", "lo", "up");
        }
    }

    /// <summary>A 10.x.y.0/24 (as "10.x.y") that no address or route of this machine is in.</summary>
    private static string FreeSubnet()
    {
        var used = Run("ip", "-4", "-o", "addr", "show") + Run("ip", "-4", "route", "show");
        var start = Random.Shared.Next(0, 250);
        for (var i = 0; i < 250; i++)
        {
            var prefix = $"10.213.{(start + i) % 250 + 1}";
            if (!used.Contains(prefix + ".", StringComparison.Ordinal) && !used.Contains("10.0.0.0/8", StringComparison.Ordinal)) return prefix;
        }
        throw new Xunit.Sdk.XunitException($"No free 10.x.y.0/24 for the test network; this machine uses:\n{used}");
    }

    public void Dispose()
    {
        // Deleting the host end of a veth pair deletes both ends. (Deleting the namespace alone is not enough: the
        // kernel may keep a namespace, and so its veth end, alive for a while after its last process exited.)
        foreach (var link in _links) TryRun("ip", "link", "del", link);
        foreach (var ns in _namespaces) TryRun("ip", "netns", "del", ns);
        TryRun("ip", "link", "del", Bridge);
        if (_forwardRule) TryRun("iptables", "-D", "FORWARD", "-i", Bridge, "-o", Bridge, "-j", "ACCEPT");
    }

    private static void TryRun(params string[] command)
    {
        try { Run(command); }
        catch (Xunit.Sdk.XunitException) { /* cleaning up what may not exist */ }
    }

    private static string Run(params string[] command) => Command.Run(command);
}
