using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace ActorPubSub.Bench;

/// <summary>
/// The broker node as shipped (<c>dotnet ActorPubSub.Node.dll</c> from the Node project's build output) in an OS process
/// of its own, configured only where it must be (free ports, the store): its own defaults, its own GC settings. Every
/// node started is killed when it is disposed and when the benchmark ends in any way it can see (normal exit, Ctrl-C,
/// SIGTERM, an unhandled exception), so no node outlives the benchmark.
/// </summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<NodeProcess, byte> Running = new();
    private static int _hooked;

    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource<string> _up = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>ActorPubSub.Node.dll built with the benchmark (see the csproj), unless ACTORPUBSUB_BENCH_NODE names another.</summary>
    public static string DefaultPath =>
        Environment.GetEnvironmentVariable("ACTORPUBSUB_BENCH_NODE") is { Length: > 0 } path ? path
        : typeof(NodeProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ActorPubSubNodeAssembly").Value
          ?? throw new InvalidOperationException("The benchmark was built without the node's path.");

    private NodeProcess(string path, IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string> environment,
        string workingDirectory)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The node is not built at {path}; build src/ActorPubSub.Node (or set ACTORPUBSUB_BENCH_NODE).", path);
        HookExit();
        var info = new ProcessStartInfo
        {
            FileName = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet",
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(path);
        // Only the settings given here: the caller's ACTORPUBSUB_*/CLUSTER_* variables must not reconfigure the node.
        foreach (var key in info.Environment.Keys.Where(IsNodeVariable).ToList()) info.Environment.Remove(key);
        foreach (var (key, value) in settings) info.Environment[$"ACTORPUBSUB_Node__{key}"] = value;
        foreach (var (key, value) in environment) info.Environment[key] = value;
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => Capture(e.Data);
        _process.ErrorDataReceived += (_, e) => Capture(e.Data);
        _process.Exited += (_, _) => _up.TrySetException(new InvalidOperationException(
            $"The node exited (code {_process.ExitCode}) before it was Up. Its output:\n{Transcript}"));
        _process.EnableRaisingEvents = true;
        Running[this] = 0;
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    /// <summary>
    /// Starts the node with <c>ACTORPUBSUB_Node__{key}={value}</c> for each setting, and <paramref name="environment"/>'s
    /// variables as given (runtime settings such as <c>DOTNET_TieredPGO</c>).
    /// </summary>
    public static NodeProcess Start(IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string> environment,
        string workingDirectory) =>
        new(DefaultPath, settings, environment, workingDirectory);

    /// <summary>The node's cluster address once it is Up (its "ActorPubSub node is Up in the cluster as ..." line).</summary>
    public async Task<string> UpAddressAsync(TimeSpan within)
    {
        var line = await _up.Task.WaitAsync(within);
        return line[line.IndexOf("akka.tcp://", StringComparison.Ordinal)..].Split(' ')[0].Trim();
    }

    public string Transcript { get { lock (_output) return string.Join('\n', _output); } }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
        Running.TryRemove(this, out _);
        _process.Dispose();
    }

    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago; never 4053 or 9110 (a node someone runs here).</summary>
    public static int FreeLoopbackPort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (port is not (4053 or 9110)) return port;
        }
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // exited between the check and the kill
        }
    }

    private static void HookExit()
    {
        if (Interlocked.Exchange(ref _hooked, 1) == 1) return;
        // ProcessExit covers a normal end and SIGTERM; Ctrl-C ends the process without it unless cancelled, so the nodes
        // are killed there too; an exception that escapes ends the process after UnhandledException.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => KillAll();
        Console.CancelKeyPress += (_, _) => KillAll();
    }

    private static void KillAll()
    {
        foreach (var node in Running.Keys) node.Kill();
    }

    private void Capture(string? line)
    {
        if (line is null) return;
        lock (_output) _output.Add(line);
        if (line.Contains("ActorPubSub node is Up", StringComparison.Ordinal)) _up.TrySetResult(line);
    }

    private static bool IsNodeVariable(string name) =>
        name.StartsWith("ACTORPUBSUB_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("CLUSTER_", StringComparison.Ordinal)
        || name == "ACTORSYSTEM"
        || name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase);
}
