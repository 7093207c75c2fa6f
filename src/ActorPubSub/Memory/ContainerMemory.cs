using System.Globalization;

namespace ActorPubSub.Memory;

/// <summary>The memory limit a container runtime (Kubernetes, Docker) put on this process, read from its cgroup files.</summary>
/// <remarks>
/// Read from the files rather than from the .NET GC, so the figure and where it came from can be logged, and tests can
/// point <see cref="ContainerMemory"/> at a folder of fake cgroup files instead of <c>/</c>.
/// </remarks>
public sealed class ContainerMemory(string root)
{
    /// <summary>cgroup v2: the limit of the process's cgroup as seen from inside the container ("max" = none).</summary>
    public const string CgroupV2File = "sys/fs/cgroup/memory.max";

    /// <summary>cgroup v1: the limit of the memory controller ("no limit" is a number near <see cref="long.MaxValue"/>).</summary>
    public const string CgroupV1File = "sys/fs/cgroup/memory/memory.limit_in_bytes";

    /// <summary>
    /// A limit at or above this (1 EiB) means none: cgroup v1 reports "unlimited" as 0x7FFFFFFFFFFFF000 (rounded to the
    /// page size), and no machine has this much memory.
    /// </summary>
    public const long NoLimitFrom = 1L << 60;

    /// <summary>This machine's cgroup files.</summary>
    public static ContainerMemory Host { get; } = new("/");

    /// <summary>The folder the cgroup paths are relative to (<c>/</c> for the real ones).</summary>
    public string Root { get; } = root;

    /// <summary>The container's memory limit, or null when there is none (or no cgroup file can be read).</summary>
    public ContainerMemoryLimit? ReadLimit() =>
        Read(CgroupV2File, "cgroup v2") ?? Read(CgroupV1File, "cgroup v1");

    private ContainerMemoryLimit? Read(string relativePath, string version)
    {
        var path = Path.Combine(Root, relativePath);
        string text;
        try
        {
            if (!File.Exists(path)) return null;
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;    // not readable: treated like no limit, which the budget's fallback covers
        }
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes)) return null;   // "max"
        return bytes is > 0 and < NoLimitFrom ? new ContainerMemoryLimit(bytes, $"{version} {path}") : null;
    }
}

/// <summary>A container memory limit and the file it was read from.</summary>
public sealed record ContainerMemoryLimit(long Bytes, string From);
