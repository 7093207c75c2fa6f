using System.ComponentModel;
using System.Diagnostics;

namespace ActorPubSub.Tests.Support.Processes;

/// <summary>
/// A command of the machine run to completion (<c>ip</c>, <c>iptables</c>, <c>kubectl</c>, the PostgreSQL control
/// script): its stdout, or a test failure naming the command, its exit code and its stderr.
/// </summary>
public static class Command
{
    private static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(90);

    /// <param name="missing">What to tell the reader when the program is not installed (a hint to install it).</param>
    public static string Run(IReadOnlyList<string> command, TimeSpan? within = null, string? missing = null)
    {
        var text = string.Join(' ', command);
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in command.Skip(1)) info.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"{command[0]} did not start");
        }
        catch (Win32Exception e)
        {
            throw new Xunit.Sdk.XunitException($"`{text}` cannot run ({e.Message}).{(missing is null ? "" : " " + missing)}");
        }
        using (process)
        {
            // Both streams read at once: a command that fills one pipe while we wait on the other would never finish.
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            var deadline = within ?? DefaultDeadline;
            if (!process.WaitForExit(deadline))
            {
                process.Kill(entireProcessTree: true);
                throw new Xunit.Sdk.XunitException($"`{text}` did not finish within {deadline.TotalSeconds:0} s.");
            }
            if (process.ExitCode != 0)
                throw new Xunit.Sdk.XunitException($"`{text}` failed with exit code {process.ExitCode}: {(stderr.Result + stdout.Result).Trim()}");
            return stdout.Result;
        }
    }

    /// <summary><see cref="Run"/> off the test's thread.</summary>
    public static Task<string> RunAsync(IReadOnlyList<string> command, TimeSpan? within = null, string? missing = null) =>
        Task.Run(() => Run(command, within, missing));
}
