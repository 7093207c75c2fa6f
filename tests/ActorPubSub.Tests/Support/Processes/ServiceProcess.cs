using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace ActorPubSub.Tests.Support.Processes;

/// <summary>
/// A built program of the repository (the lighthouse or the broker node) run as a real process with exactly the
/// environment variables a test gives it: inherited <c>ACTORPUBSUB_*</c>, <c>ACTORSYSTEM</c> and <c>CLUSTER_*</c>
/// variables are removed, so the test's own environment cannot leak into the cluster under test. stdout and stderr
/// are captured; disposing kills the process if it still runs. The one way the tests run a program of theirs
/// (<see cref="NodeProcess"/> is the node configured by its settings).
/// </summary>
public class ServiceProcess : IAsyncDisposable
{
    public const int SigInt = Signals.Interrupt;
    public const int SigKill = Signals.Kill;
    public const int SigTerm = Signals.Terminate;
    public const int SigCont = Signals.Continue;
    public const int SigStop = Signals.Stop;

    private readonly Process _process;
    private readonly string _name;
    private readonly StringBuilder _transcript = new();
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];

    /// <summary>Lighthouse.dll as built with the tests.</summary>
    public static string LighthousePath { get; } = Metadata("LighthouseAssembly");

    /// <summary>ActorPubSub.Node.dll as built with the tests.</summary>
    public static string NodePath { get; } = Metadata("ActorPubSubNodeAssembly");

    /// <summary>The repository's root folder (k8s/, scripts).</summary>
    public static string RepositoryRoot { get; } = Metadata("RepositoryRoot");

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public static ServiceProcess StartLighthouse(IReadOnlyDictionary<string, string> environment, string workingDirectory) =>
        Start(LighthousePath, environment, workingDirectory);

    public static ServiceProcess StartNode(IReadOnlyDictionary<string, string> environment, string workingDirectory) =>
        Start(NodePath, environment, workingDirectory);

    /// <param name="arguments">Command-line arguments after the assembly (pbm's command).</param>
    /// <param name="launcher">
    /// A command that runs <c>dotnet</c> for the program and keeps its process id (it execs), e.g.
    /// <c>["ip", "netns", "exec", "ns1"]</c> to run it in a network namespace; signals then reach the program itself.
    /// </param>
    public static ServiceProcess Start(string assemblyPath, IReadOnlyDictionary<string, string> environment, string workingDirectory,
        IReadOnlyList<string>? arguments = null, IReadOnlyList<string>? launcher = null) =>
        new(assemblyPath, environment, workingDirectory, arguments, launcher);

    /// <summary>Starts <c>dotnet <paramref name="assemblyPath"/></c>; see <see cref="Start"/>.</summary>
    protected ServiceProcess(string assemblyPath, IReadOnlyDictionary<string, string> environment, string workingDirectory,
        IReadOnlyList<string>? arguments, IReadOnlyList<string>? launcher)
    {
        if (!File.Exists(assemblyPath)) throw new FileNotFoundException("The program is not built.", assemblyPath);
        // `dotnet test` tells its children which dotnet runs it.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var command = new List<string>(launcher ?? []);
        // A process started in the background by a non-interactive shell ignores SIGINT, and children inherit that;
        // `env --default-signal` gives the program a default SIGINT again (and execs, keeping the pid).
        if (Signals.IsIgnoredHere(Signals.Interrupt)) command.AddRange(["env", "--default-signal=INT"]);
        command.Add(dotnet);
        var info = new ProcessStartInfo
        {
            FileName = command[0],
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1)) info.ArgumentList.Add(argument);
        info.ArgumentList.Add(assemblyPath);
        foreach (var argument in arguments ?? []) info.ArgumentList.Add(argument);
        foreach (var key in info.Environment.Keys.Where(IsClusterVariable).ToList()) info.Environment.Remove(key);
        foreach (var (key, value) in environment) info.Environment[key] = value;

        _name = Path.GetFileNameWithoutExtension(assemblyPath);
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => Capture(e.Data, _stdout, "out");
        _process.ErrorDataReceived += (_, e) => Capture(e.Data, _stderr, "err");
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public IReadOnlyList<string> StandardOutput { get { lock (_transcript) return [.. _stdout]; } }
    public IReadOnlyList<string> StandardError { get { lock (_transcript) return [.. _stderr]; } }

    /// <summary>Everything the process wrote so far, stdout and stderr interleaved as received.</summary>
    public string Transcript { get { lock (_transcript) return _transcript.ToString(); } }

    /// <summary>Waits for a line on stdout containing <paramref name="text"/>; fails with the output so far.</summary>
    public async Task<string> WaitForOutputAsync(string text, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            if (StandardOutput.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line) return line;
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();     // drains the output
                if (StandardOutput.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } last) return last;
                throw Failure($"{_name} exited with code {_process.ExitCode} before writing \"{text}\"");
            }
            if (DateTime.UtcNow > deadline) throw Failure($"{_name} wrote no \"{text}\" within {within.TotalSeconds:0} s");
            await Task.Delay(50);
        }
    }

    /// <summary>The web server's base URL, from its "Health endpoints on http://..." line.</summary>
    public async Task<Uri> HttpUrlAsync(TimeSpan within)
    {
        var line = await WaitForOutputAsync("Health endpoints on http://", within);
        var start = line.IndexOf("http://", StringComparison.Ordinal);
        return new Uri(line[start..].Split(' ', ',')[0]);
    }

    /// <summary>The <c>akka.tcp://</c> (or, on TLS, <c>akka.ssl.tcp://</c>) address in the first stdout line containing <paramref name="text"/>.</summary>
    public async Task<string> AddressAsync(string text, TimeSpan within)
    {
        var line = await WaitForOutputAsync(text, within);
        var start = line.IndexOf("akka.ssl.tcp://", StringComparison.Ordinal) is >= 0 and var ssl ? ssl : line.IndexOf("akka.tcp://", StringComparison.Ordinal);
        return line[start..].Split(' ')[0].Trim();
    }

    /// <summary>Sends a POSIX signal (<see cref="Signals"/>) to the process.</summary>
    public void Signal(int signal) => Signals.Send(_process.Id, signal);

    /// <summary>Waits for the process to exit and returns its exit code; fails with the output if it does not.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw Failure($"{_name} did not exit within {within.TotalSeconds:0} s");
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    public Xunit.Sdk.XunitException Failure(string what) => new($"{what}. Output of {_name}:\n{Transcript}");

    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago (for settings that cannot be 0).</summary>
    public static int FreeLoopbackPort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            // never the README's defaults, so a test cannot take the port of a node someone runs on this machine
            if (port is not (4053 or 9110)) return port;
        }
    }

    private static bool IsClusterVariable(string name) =>
        name.StartsWith("ACTORPUBSUB_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("CLUSTER_", StringComparison.Ordinal)
        || name == "ACTORSYSTEM"
        || name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase);

    private void Capture(string? line, List<string> stream, string name)
    {
        if (line is null) return;
        lock (_transcript)
        {
            stream.Add(line);
            _transcript.Append(name).Append("| ").Append(line).Append('\n');
        }
    }

    private static string Metadata(string key) =>
        typeof(ServiceProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"The test assembly has no {key} metadata.");
}
