using ActorPubSub.Memory;

namespace ActorPubSub.Tests.Memory;

/// <summary>The container memory limit read from fake cgroup v1 and v2 files in a folder of their own.</summary>
[Trait("Category", "Unit")]
public sealed class ContainerMemorySpec : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "actorpubsub-tests", "cgroup-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void ReadLimit_should_read_the_cgroup_v2_limit()
    {
        Write(ContainerMemory.CgroupV2File, "1073741824\n");

        var limit = new ContainerMemory(_root).ReadLimit();

        Assert.NotNull(limit);
        Assert.Equal(1L << 30, limit.Bytes);
        Assert.Contains("cgroup v2", limit.From, StringComparison.Ordinal);
        Assert.Contains("memory.max", limit.From, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadLimit_should_read_the_cgroup_v1_limit()
    {
        Write(ContainerMemory.CgroupV1File, "536870912\n");

        var limit = new ContainerMemory(_root).ReadLimit();

        Assert.NotNull(limit);
        Assert.Equal(512L << 20, limit.Bytes);
        Assert.Contains("cgroup v1", limit.From, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadLimit_should_prefer_cgroup_v2_to_v1()
    {
        Write(ContainerMemory.CgroupV2File, "268435456");
        Write(ContainerMemory.CgroupV1File, "536870912");

        Assert.Equal(256L << 20, new ContainerMemory(_root).ReadLimit()?.Bytes);
    }

    [Theory]
    [InlineData(ContainerMemory.CgroupV2File, "max\n")]
    [InlineData(ContainerMemory.CgroupV1File, "9223372036854771712\n")]   // cgroup v1's "unlimited"
    [InlineData(ContainerMemory.CgroupV2File, "")]
    [InlineData(ContainerMemory.CgroupV2File, "0")]
    public void ReadLimit_should_see_no_limit_in_max_absurd_or_empty_values(string file, string content)
    {
        Write(file, content);

        Assert.Null(new ContainerMemory(_root).ReadLimit());
    }

    [Fact]
    public void ReadLimit_should_see_no_limit_without_cgroup_files()
    {
        Directory.CreateDirectory(_root);

        Assert.Null(new ContainerMemory(_root).ReadLimit());
    }

    [Fact]
    public void ReadLimit_should_fall_back_to_v1_when_v2_says_max()
    {
        // a hybrid layout: the v2 file exists but limits nothing, the v1 memory controller does
        Write(ContainerMemory.CgroupV2File, "max");
        Write(ContainerMemory.CgroupV1File, "536870912");

        Assert.Equal(512L << 20, new ContainerMemory(_root).ReadLimit()?.Bytes);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private void Write(string relativePath, string content)
    {
        var path = Path.Combine(_root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
