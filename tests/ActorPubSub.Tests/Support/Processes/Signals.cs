using System.Globalization;
using System.Runtime.InteropServices;

namespace ActorPubSub.Tests.Support.Processes;

/// <summary>POSIX signals for the processes the tests run (Linux numbers).</summary>
public static class Signals
{
    public const int Interrupt = 2;
    public const int Kill = 9;
    public const int Terminate = 15;
    public const int Continue = 18;
    public const int Stop = 19;

    /// <summary>Sends <paramref name="signal"/> to process <paramref name="pid"/>; fails with errno.</summary>
    public static void Send(int pid, int signal)
    {
        if (kill(pid, signal) != 0)
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>True when this process ignores <paramref name="signal"/> (its bit in SigIgn of /proc/self/status), which children inherit.</summary>
    public static bool IsIgnoredHere(int signal)
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return false;
        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
               && ulong.TryParse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask)
               && (mask & (1UL << (signal - 1))) != 0;
    }

    // libc kill(2): Process.Kill only sends SIGKILL, and a `kill` executable is not on every machine (procps).
    // DllImport, not LibraryImport: the generated stub would need AllowUnsafeBlocks; int arguments need no marshalling.
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
