using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace ActorPubSub.Tests.Support;

/// <summary>
/// The built ActorPubSub.Node run as a real process (<c>dotnet ActorPubSub.Node.dll</c>), configured through
/// <c>ACTORPUBSUB_Node__*</c> environment variables, with stdout and stderr captured. Disposing it kills the
/// process if it is still running, so no test leaves one behind.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    public const int SigInt = 2;
    public const int SigTerm = 15;

    private readonly Process _process;
    private readonly StringBuilder _transcript = new();
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];

    private NodeProcess(Process process) => _process = process;

    /// <summary>ActorPubSub.Node.dll as built with the tests (the path is put into this assembly by the csproj).</summary>
    public static string AssemblyPath { get; } =
        typeof(NodeProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "ActorPubSubNodeAssembly").Value
        ?? throw new InvalidOperationException("The test assembly does not name ActorPubSub.Node.dll.");

    public int Id => _process.Id;

    /// <summary>Starts the node with <c>ACTORPUBSUB_Node__{key}={value}</c> for each setting (and no other ACTORPUBSUB_ variable).</summary>
    public static NodeProcess Start(IReadOnlyDictionary<string, string> settings, string workingDirectory)
    {
        if (!File.Exists(AssemblyPath)) throw new FileNotFoundException("ActorPubSub.Node is not built.", AssemblyPath);
        // `dotnet test` tells its children which dotnet runs it.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var info = new ProcessStartInfo
        {
            FileName = dotnet,
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (SigIntIsIgnoredHere())
        {
            // A process started in the background by a non-interactive shell ignores SIGINT, and children inherit
            // that; `env --default-signal` gives the node a default SIGINT again (and execs, keeping the pid).
            info.FileName = "env";
            info.ArgumentList.Add("--default-signal=INT");
            info.ArgumentList.Add(dotnet);
        }
        info.ArgumentList.Add(AssemblyPath);
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("ACTORPUBSUB_", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(key);
        foreach (var (key, value) in settings) info.Environment[$"ACTORPUBSUB_Node__{key}"] = value;

        var process = new Process { StartInfo = info };
        var node = new NodeProcess(process);
        process.OutputDataReceived += (_, e) => node.Capture(e.Data, node._stdout, "out");
        process.ErrorDataReceived += (_, e) => node.Capture(e.Data, node._stderr, "err");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    public IReadOnlyList<string> StandardOutput { get { lock (_transcript) return [.. _stdout]; } }
    public IReadOnlyList<string> StandardError { get { lock (_transcript) return [.. _stderr]; } }

    /// <summary>Everything the process wrote so far, stdout and stderr interleaved as received.</summary>
    public string Transcript { get { lock (_transcript) return _transcript.ToString(); } }

    /// <summary>Waits for a line on stdout that contains <paramref name="text"/>; fails with the output so far.</summary>
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
                throw Failure($"the node exited with code {_process.ExitCode} before writing \"{text}\"");
            }
            if (DateTime.UtcNow > deadline) throw Failure($"the node wrote no \"{text}\" within {within.TotalSeconds:0} s");
            await Task.Delay(50);
        }
    }

    /// <summary>Sends a POSIX signal (SIGINT, SIGTERM) to the node process.</summary>
    public void Signal(int signal)
    {
        if (kill(_process.Id, signal) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

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
            throw Failure($"the node did not exit within {within.TotalSeconds:0} s");
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

    private void Capture(string? line, List<string> stream, string name)
    {
        if (line is null) return;
        lock (_transcript)
        {
            stream.Add(line);
            _transcript.Append(name).Append("| ").Append(line).Append('\n');
        }
    }

    private Xunit.Sdk.XunitException Failure(string what) =>
        new($"{what}. Output of `dotnet {Path.GetFileName(AssemblyPath)}`:\n{Transcript}");

    /// <summary>True when this process ignores SIGINT (bit 2 of SigIgn in /proc/self/status), which children inherit.</summary>
    private static bool SigIntIsIgnoredHere()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return false;
        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
               && ulong.TryParse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, null, out var mask)
               && (mask & (1UL << (SigInt - 1))) != 0;
    }

    // libc kill(2): Process.Kill only sends SIGKILL, and a `kill` executable is not on every machine (procps).
    // DllImport, not LibraryImport: the generated stub would need AllowUnsafeBlocks; int arguments need no marshalling.
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
