using Akka.Configuration;
using ActorPubSub.Hosting;
using ActorPubSub.Memory;

namespace ActorPubSub.Tests.Memory;

/// <summary>
/// <c>actorpubsub.memory-budget</c> and <c>-fraction</c>: a size, auto from a (fake) container limit, auto without one, and
/// the one-line refusal of a budget below the minimal window.
/// </summary>
[Trait("Category", "Unit")]
public sealed class MemoryBudgetSettingsSpec : IDisposable
{
    private const long GiB = 1L << 30;
    private const long MiB = 1L << 20;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "actorpubsub-tests", "cgroup-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Reference_conf_should_default_to_auto_with_a_quarter()
    {
        var section = Section("");

        Assert.Equal("auto", section.GetString(MemoryBudgetSettings.BudgetKey));
        Assert.Equal(0.25, section.GetDouble(MemoryBudgetSettings.FractionKey));
    }

    [Theory]
    [InlineData("\"512 MiB\"", 512 * MiB)]
    [InlineData("512MiB", 512 * MiB)]
    [InlineData("\"2 GiB\"", 2 * GiB)]
    [InlineData("1048576", MiB)]
    public void Create_should_take_a_size(string value, long expected)
    {
        var settings = MemoryBudgetSettings.Create(Section($"memory-budget = {value}"), NoContainer(), 64 * GiB);

        Assert.Equal(expected, settings.Bytes);
        Assert.False(settings.Auto);
        Assert.StartsWith("actorpubsub.memory-budget = ", settings.Source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("\"-5 MiB\"")]
    [InlineData("0")]
    public void Create_should_refuse_what_is_neither_auto_nor_a_size(string value)
    {
        var e = Assert.Throws<ConfigurationException>(() =>
            MemoryBudgetSettings.Create(Section($"memory-budget = {value}"), NoContainer(), 64 * GiB));

        Assert.StartsWith("actorpubsub.memory-budget = ", e.Message, StringComparison.Ordinal);
        Assert.Contains("must be auto or a positive size", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_should_take_the_fraction_of_the_cgroup_v2_limit()
    {
        Write(ContainerMemory.CgroupV2File, "1073741824");

        var settings = MemoryBudgetSettings.Create(Section(""), new ContainerMemory(_root), 64 * GiB);

        Assert.Equal(256 * MiB, settings.Bytes);
        Assert.True(settings.Auto);
        Assert.Contains("actorpubsub.memory-budget = auto, actorpubsub.memory-budget-fraction = 0.25", settings.Source, StringComparison.Ordinal);
        Assert.Contains("25% of the container memory limit 1 GiB (cgroup v2", settings.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_should_take_the_configured_fraction_of_the_cgroup_v1_limit()
    {
        Write(ContainerMemory.CgroupV1File, "2147483648");

        var settings = MemoryBudgetSettings.Create(Section("memory-budget-fraction = 0.5"), new ContainerMemory(_root), 64 * GiB);

        Assert.Equal(GiB, settings.Bytes);
        Assert.Contains("50% of the container memory limit 2 GiB (cgroup v1", settings.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_without_a_container_limit_should_take_the_fraction_of_the_available_memory_at_most_1_GiB()
    {
        var small = MemoryBudgetSettings.Create(Section(""), NoContainer(), 2 * GiB);
        var large = MemoryBudgetSettings.Create(Section(""), NoContainer(), 64 * GiB);

        Assert.Equal(512 * MiB, small.Bytes);
        Assert.Equal(GiB, large.Bytes);
        Assert.Contains("25% of the available memory 64 GiB (no container limit), at most 1 GiB", large.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_without_any_figure_should_fall_back_to_256_MiB()
    {
        var settings = MemoryBudgetSettings.Create(Section(""), NoContainer(), availableMemory: 0);

        Assert.Equal(256 * MiB, settings.Bytes);
        Assert.Contains("no container limit and no figure of the available memory", settings.Source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1.5")]
    [InlineData("-0.25")]
    [InlineData("quarter")]
    public void Auto_should_refuse_a_fraction_outside_0_to_1(string value)
    {
        var e = Assert.Throws<ConfigurationException>(() =>
            MemoryBudgetSettings.Create(Section($"memory-budget-fraction = {value}"), NoContainer(), 64 * GiB));

        Assert.StartsWith("actorpubsub.memory-budget-fraction = ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_size_should_ignore_the_fraction_and_the_container()
    {
        Write(ContainerMemory.CgroupV2File, "1073741824");

        var settings = MemoryBudgetSettings.Create(Section("memory-budget = \"100 MiB\", memory-budget-fraction = 0.9"),
            new ContainerMemory(_root), 64 * GiB);

        Assert.Equal(100 * MiB, settings.Bytes);
    }

    [Fact]
    public void MinimalWindow_should_be_a_write_batch_a_largest_message_and_two_read_back_pages()
    {
        var (bytes, explanation) = MemoryBudgetSettings.MinimalWindow(Section(""));

        Assert.Equal(4 * MiB + 1 * MiB + 2 * 256 * 1024, bytes);
        Assert.Equal("topic.max-write-batch-bytes 4 MiB + topic.max-message-size 1 MiB + 2 x topic.log.page-bytes 256 KiB", explanation);
    }

    [Fact]
    public void MinimalWindow_should_follow_the_topic_settings()
    {
        var (bytes, _) = MemoryBudgetSettings.MinimalWindow(
            Section("topic { max-write-batch-bytes = 1 MiB, max-message-size = 64 KiB, log.page-bytes = 32 KiB }"));

        Assert.Equal(MiB + 64 * 1024 + 64 * 1024, bytes);
    }

    [Fact]
    public void Validate_should_refuse_a_set_budget_below_the_minimal_window_with_one_line()
    {
        var section = Section("memory-budget = \"1 MiB\"");
        var settings = MemoryBudgetSettings.Create(section, NoContainer(), 64 * GiB);
        var (minimal, explanation) = MemoryBudgetSettings.MinimalWindow(section);

        var e = Assert.Throws<ConfigurationException>(() => settings.Validate(minimal, explanation));

        Assert.Equal(
            "actorpubsub.memory-budget: the memory budget 1 MiB (1048576 bytes; actorpubsub.memory-budget = 1 MiB) is below the " +
            "minimal window 5.5 MiB (5767168 bytes = topic.max-write-batch-bytes 4 MiB + topic.max-message-size 1 MiB + " +
            "2 x topic.log.page-bytes 256 KiB): raise actorpubsub.memory-budget, or lower those settings.", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Validate_should_name_the_fraction_and_the_limit_of_an_auto_budget()
    {
        Write(ContainerMemory.CgroupV2File, "104857600");   // 100 MiB
        var section = Section("memory-budget-fraction = 0.05");
        var settings = MemoryBudgetSettings.Create(section, new ContainerMemory(_root), 64 * GiB);
        var (minimal, explanation) = MemoryBudgetSettings.MinimalWindow(section);

        var e = Assert.Throws<ConfigurationException>(() => settings.Validate(minimal, explanation));

        Assert.StartsWith("actorpubsub.memory-budget: the memory budget 5 MiB (5242880 bytes; actorpubsub.memory-budget = auto, " +
                          "actorpubsub.memory-budget-fraction = 0.05: 5% of the container memory limit 100 MiB (cgroup v2 ", e.Message, StringComparison.Ordinal);
        Assert.Contains("raise actorpubsub.memory-budget-fraction or the container's memory limit", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Validate_should_accept_a_budget_of_exactly_the_minimal_window()
    {
        var (minimal, explanation) = MemoryBudgetSettings.MinimalWindow(Section(""));

        new MemoryBudgetSettings(minimal, "test").Validate(minimal, explanation);
    }

    [Fact]
    public void PubSubOptions_Validate_should_refuse_a_budget_below_the_minimal_window_on_topic_nodes_only()
    {
        var e = Assert.Throws<ConfigurationException>(() => new PubSubOptions { MemoryBudget = "1 MiB" }.Validate());
        Assert.StartsWith("actorpubsub.memory-budget: the memory budget 1 MiB", e.Message, StringComparison.Ordinal);

        Assert.Throws<ConfigurationException>(() => new PubSubOptions { ExtraHocon = "actorpubsub.memory-budget = 2MiB" }.Validate());

        // a client node keeps no topics
        new PubSubOptions { MemoryBudget = "1 MiB", HostTopics = false, StandaloneCluster = false, Role = "actorpubsub" }.Validate();
        new PubSubOptions { MemoryBudget = "64 MiB", MemoryBudgetFraction = 0.5 }.Validate();
    }

    [Fact]
    public void Create_should_work_on_the_configuration_of_a_system_section()
    {
        // what the topic code calls: MemoryBudgetSettings.Create(SettingsReader.RootOf(system))
        using var system = Akka.Actor.ActorSystem.Create("budget", PubSubConfig.Default);

        var settings = MemoryBudgetSettings.Create(ActorPubSub.Settings.SettingsReader.RootOf(system));

        Assert.True(settings.Bytes > 0);
        Assert.True(settings.Auto);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private static Config Section(string hocon) =>
        ConfigurationFactory.ParseString("actorpubsub { " + hocon + " }").WithFallback(PubSubConfig.Default).GetConfig("actorpubsub");

    private ContainerMemory NoContainer()
    {
        Directory.CreateDirectory(_root);
        return new ContainerMemory(_root);
    }

    private void Write(string relativePath, string content)
    {
        var path = Path.Combine(_root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
