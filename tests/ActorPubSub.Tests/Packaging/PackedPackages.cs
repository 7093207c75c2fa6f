using System.ComponentModel;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;

namespace ActorPubSub.Tests.Packaging;

/// <summary>
/// The repository's packages, packed once per test class from the build the tests run on (<c>dotnet pack --no-build</c>,
/// so it takes seconds) into a temporary local feed, under a version of their own: the NuGet global packages folder
/// caches a package by id and version, so a fixed version would let a later run build against an earlier run's package.
/// Disposing removes the feed, the temporary projects and that version from the global packages folder.
/// </summary>
public sealed class PackedPackages : IDisposable
{
    public static readonly TimeSpan CommandDeadline = TimeSpan.FromMinutes(5);

    public PackedPackages()
    {
        Directory.CreateDirectory(Feed);
        Version = $"{typeof(PackedPackages).Assembly.GetName().Version!.ToString(3)}-readme.{DateTime.UtcNow:yyyyMMddHHmmss}.{Random.Shared.Next(1000, 9999)}";
        // Built with the tests: the configuration is the one the test assembly was built in (bin/<configuration>/net10.0).
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        try
        {
            foreach (var project in new[] { "src/ActorPubSub/ActorPubSub.csproj", "src/ActorPubSub.Cli/ActorPubSub.Cli.csproj" })
            {
                Dotnet(Root, "pack", Path.Combine(ServiceProcess.RepositoryRoot, project), "--no-build", "-c", configuration, "-o", Feed,
                    $"-p:PackageVersion={Version}", "-nologo");
            }
        }
        catch
        {
            Dispose();   // xunit does not dispose a fixture whose constructor threw
            throw;
        }
    }

    /// <summary>A temporary folder for this fixture (the feed and the projects built against it).</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"actorpubsub-packages-{Guid.NewGuid():N}");

    public string Feed => Path.Combine(Root, "feed");

    public string Version { get; }

    public string PackagePath(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");

    /// <summary>A file inside a package, as text.</summary>
    public string ReadEntry(string id, string entry)
    {
        using var zip = ZipFile.OpenRead(PackagePath(id));
        var found = zip.GetEntry(entry) ?? throw new Xunit.Sdk.XunitException(
            $"{id} has no {entry}; it has {string.Join(", ", zip.Entries.Select(e => e.FullName))}");
        using var reader = new StreamReader(found.Open(), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public IReadOnlyList<string> Entries(string id)
    {
        using var zip = ZipFile.OpenRead(PackagePath(id));
        return [.. zip.Entries.Select(e => e.FullName)];
    }

    /// <summary>
    /// Runs <c>dotnet</c> to completion in <paramref name="workingDirectory"/> and returns its output, or fails the test with it.
    /// The MSBuild variables of the test host (set by <c>dotnet test</c>) are not passed on: the command is run as a user would.
    /// </summary>
    public static string Dotnet(string workingDirectory, params string[] arguments)
    {
        Directory.CreateDirectory(workingDirectory);
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)
                                                              || k.StartsWith("MSBUILD", StringComparison.Ordinal)
                                                              || k is "VSTEST_HOST_DEBUG" or "DOTNET_HOST_PATH").ToList())
            info.Environment.Remove(name);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        var text = $"dotnet {string.Join(' ', arguments)}";
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        }
        catch (Win32Exception e)
        {
            throw new Xunit.Sdk.XunitException($"`{text}` cannot run ({e.Message})");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(CommandDeadline))
            {
                process.Kill(entireProcessTree: true);
                throw new Xunit.Sdk.XunitException($"`{text}` did not finish within {CommandDeadline.TotalMinutes:0} minutes.");
            }
            var output = stdout.Result + stderr.Result;
            if (process.ExitCode != 0) throw new Xunit.Sdk.XunitException($"`{text}` failed with exit code {process.ExitCode}:\n{output}");
            return output;
        }
    }

    public void Dispose()
    {
        TryDelete(Root);
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                       ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "actorpubsub", "actorpubsub.cli" }) TryDelete(Path.Combine(packages, id, Version.ToLowerInvariant()));
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless; the next run uses a new version and folder.
        }
    }
}
