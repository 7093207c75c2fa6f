using System.Globalization;
using Akka.Configuration;
using ActorPubSub.Settings;

namespace ActorPubSub.Memory;

/// <summary>
/// How many bytes of messages a node keeps in memory, shared by the hot windows of its topics (the backlog beyond
/// them stays in the journal): <c>actorpubsub.memory-budget</c> and <c>actorpubsub.memory-budget-fraction</c>.
/// </summary>
/// <param name="Bytes">The budget.</param>
/// <param name="Source">Where the figure came from, for the log and for errors, e.g. <c>actorpubsub.memory-budget = 512 MiB</c>.</param>
public sealed record MemoryBudgetSettings(long Bytes, string Source)
{
    public const string BudgetKey = "memory-budget";
    public const string FractionKey = "memory-budget-fraction";

    /// <summary>
    /// The share of the machine's memory used by <c>auto</c> when the process runs in no container with a limit is capped
    /// at this: a broker on a developer's machine or a shared server should not claim a quarter of 64 GiB for hot
    /// windows when the backlog lives on disk anyway; 1 GiB holds the hot windows of thousands of busy topics.
    /// </summary>
    public const long UncontainedCap = 1L << 30;

    /// <summary>
    /// <c>auto</c> with no container limit and no figure from the .NET GC either: the budget a container with the
    /// documented 1 GiB limit gets (25% of it), a figure known to be enough for a broker node's hot windows.
    /// </summary>
    public const long UnknownMemoryFallback = 256L << 20;

    /// <summary>True when the figure was derived (<c>memory-budget = auto</c>), false when it was set as a size.</summary>
    public bool Auto { get; init; }

    /// <summary>The settings of <paramref name="actorpubsubSection"/> (the <c>actorpubsub</c> section), on this machine.</summary>
    public static MemoryBudgetSettings Create(Config actorpubsubSection) =>
        Create(actorpubsubSection, ContainerMemory.Host, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);

    /// <summary>
    /// The settings, with the container limit read from <paramref name="container"/> and <paramref name="availableMemory"/>
    /// as the memory the process could use without a container limit (the .NET GC's figure; 0 when unknown).
    /// </summary>
    public static MemoryBudgetSettings Create(Config actorpubsubSection, ContainerMemory container, long availableMemory)
    {
        var budget = actorpubsubSection.GetString(BudgetKey, "auto")?.Trim() ?? "auto";
        if (!string.Equals(budget, "auto", StringComparison.OrdinalIgnoreCase))
        {
            var bytes = ParseSize(actorpubsubSection, budget);
            return new MemoryBudgetSettings(bytes, $"{Key(BudgetKey)} = {budget}");
        }

        var fraction = Fraction(actorpubsubSection);
        var auto = $"{Key(BudgetKey)} = auto, {Key(FractionKey)} = {fraction.ToString(CultureInfo.InvariantCulture)}";
        if (container.ReadLimit() is { } limit)
            return new MemoryBudgetSettings((long)(limit.Bytes * fraction),
                $"{auto}: {Percent(fraction)} of the container memory limit {ByteSize.Format(limit.Bytes)} ({limit.From})") { Auto = true };
        if (availableMemory > 0)
            return new MemoryBudgetSettings(Math.Min((long)(availableMemory * fraction), UncontainedCap),
                $"{auto}: {Percent(fraction)} of the available memory {ByteSize.Format(availableMemory)} (no container limit), " +
                $"at most {ByteSize.Format(UncontainedCap)}") { Auto = true };
        return new MemoryBudgetSettings(UnknownMemoryFallback,
            $"{auto}: no container limit and no figure of the available memory, so {ByteSize.Format(UnknownMemoryFallback)}") { Auto = true };
    }

    /// <summary>
    /// The least a budget must hold so one topic can work: one group-commit write being built
    /// (<c>topic.max-write-batch-bytes</c>), one message of the largest size, and two journal read-back pages (the one
    /// being delivered and the next one being read). With less, a topic could not take a full write batch in.
    /// </summary>
    public static (long Bytes, string Explanation) MinimalWindow(Config actorpubsubSection)
    {
        var topic = actorpubsubSection.GetConfig("topic")
                    ?? throw new ConfigurationException($"{SettingsReader.Root}.topic is missing.");
        var section = $"{SettingsReader.Root}.topic";
        long batch = SettingsReader.Bytes(topic, section, "max-write-batch-bytes");
        long message = SettingsReader.Bytes(topic, section, "max-message-size");
        long page = SettingsReader.Bytes(topic, section, "log.page-bytes");
        return (batch + message + 2 * page,
            $"topic.max-write-batch-bytes {ByteSize.Format(batch)} + topic.max-message-size {ByteSize.Format(message)} + " +
            $"2 x topic.log.page-bytes {ByteSize.Format(page)}");
    }

    /// <summary>
    /// Throws a <see cref="ConfigurationException"/> with one line naming the budget's settings, its value, the minimal
    /// window and the settings it comes from, when <see cref="Bytes"/> is below <paramref name="minimalWindowBytes"/>.
    /// </summary>
    public void Validate(long minimalWindowBytes, string minimalWindowExplanation)
    {
        if (Bytes >= minimalWindowBytes) return;
        var raise = Auto
            ? $"raise {Key(FractionKey)} or the container's memory limit, or set {Key(BudgetKey)} to a size"
            : $"raise {Key(BudgetKey)}";
        throw new ConfigurationException(
            $"{Key(BudgetKey)}: the memory budget {ByteSize.Format(Bytes)} ({Bytes} bytes; {Source}) is below the minimal window " +
            $"{ByteSize.Format(minimalWindowBytes)} ({minimalWindowBytes} bytes = {minimalWindowExplanation}): {raise}, or lower those settings.");
    }

    /// <summary>The settings of <paramref name="actorpubsubSection"/>, checked against its minimal window.</summary>
    public static MemoryBudgetSettings CreateValidated(Config actorpubsubSection)
    {
        var settings = Create(actorpubsubSection);
        var (minimal, explanation) = MinimalWindow(actorpubsubSection);
        settings.Validate(minimal, explanation);
        return settings;
    }

    /// <summary><see cref="Bytes"/> as people read it: <c>256 MiB</c>.</summary>
    public string Size => ByteSize.Format(Bytes);

    public override string ToString() => $"{Size} ({Source})";

    private static string Key(string key) => $"{SettingsReader.Root}.{key}";

    private static string Percent(double fraction) => (fraction * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    private static long ParseSize(Config section, string text)
    {
        long? bytes;
        try
        {
            bytes = section.GetByteSize(BudgetKey);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ConfigurationException or ArgumentException)
        {
            bytes = null;
        }
        if (bytes is not > 0)
            throw new ConfigurationException($"{Key(BudgetKey)} = '{text}': must be auto or a positive size such as 512 MiB.");
        return bytes.Value;
    }

    private static double Fraction(Config section)
    {
        double fraction;
        try
        {
            fraction = section.GetDouble(FractionKey, 0.25);
        }
        catch (Exception e) when (e is FormatException or ConfigurationException or ArgumentException)
        {
            throw new ConfigurationException(
                $"{Key(FractionKey)} = '{section.GetString(FractionKey)}': must be a number above 0 and at most 1 (e.g. 0.25).");
        }
        if (fraction is not (> 0 and <= 1))   // NaN too
            throw new ConfigurationException(
                $"{Key(FractionKey)} = {fraction.ToString(CultureInfo.InvariantCulture)}: must be above 0 and at most 1 (e.g. 0.25).");
        return fraction;
    }
}
