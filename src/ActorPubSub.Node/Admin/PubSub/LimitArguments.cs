using System.Globalization;
using System.Text.RegularExpressions;
using ActorPubSub.Topics;

namespace ActorPubSub.Node.Admin.PubSub;

/// <summary>
/// The values of <c>pubsub configure</c>'s limits as an operator types them: sizes as in the configuration
/// (<c>10GiB</c>, <c>512 MiB</c>, <c>1GB</c>), durations with a unit (<c>7d</c>, <c>12h</c>), when-full by name; 0 is no limit.
/// Ranges (e.g. max age at most 3650 days) are the topic's to check (<see cref="TopicLimits.Validate"/>).
/// </summary>
internal static partial class LimitArguments
{
    public const string SizeRule = "must be a size like 10GiB, 512MiB, 1GB or 0 (no limit)";
    public const string DurationRule = "must be a duration like 7d, 12h, 30m, 45s, 500ms or 0 (no limit)";
    public const string WhenFullRule = "must be refuse or drop-oldest";

    /// <summary>Bytes, or null when the text is not a size. K, Ki, KiB: 1024; KB: 1000 (as HOCON reads them).</summary>
    public static long? Size(string text)
    {
        var match = SizePattern().Match(text);
        if (!match.Success) return null;
        long? unit = match.Groups[2].Value.ToUpperInvariant() switch
        {
            "" or "B" => 1L,
            "K" or "KI" or "KIB" => 1L << 10,
            "KB" => 1_000L,
            "M" or "MI" or "MIB" => 1L << 20,
            "MB" => 1_000_000L,
            "G" or "GI" or "GIB" => 1L << 30,
            "GB" => 1_000_000_000L,
            "T" or "TI" or "TIB" => 1L << 40,
            "TB" => 1_000_000_000_000L,
            _ => null,
        };
        if (unit is null) return null;
        var value = decimal.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * unit.Value;
        return value <= long.MaxValue ? (long)decimal.Round(value) : null;
    }

    /// <summary>The duration, or null when the text is not one. A unit is required but for 0.</summary>
    public static TimeSpan? Duration(string text)
    {
        var match = DurationPattern().Match(text);
        if (!match.Success) return null;
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var unit = match.Groups[2].Value.ToLowerInvariant();
        if (unit.Length == 0 && value != 0) return null;
        var seconds = unit switch
        {
            "ms" => value / 1000,
            "" or "s" => value,
            "m" => value * 60,
            "h" => value * 3600,
            "d" => value * 86400,
            _ => double.NaN,
        };
        // Anything past TimeSpan's range is far past the 3650 days allowed: the topic says so.
        return double.IsNaN(seconds) ? null : seconds > TimeSpan.MaxValue.TotalSeconds / 2 ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds);
    }

    public static WhenFull? WhenFullOf(string text) => text.Trim().ToLowerInvariant() switch
    {
        "refuse" => WhenFull.Refuse,
        "drop-oldest" => WhenFull.DropOldest,
        _ => null,
    };

    public static string Name(WhenFull whenFull) => whenFull == WhenFull.DropOldest ? "drop-oldest" : "refuse";

    [GeneratedRegex(@"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$")]
    private static partial Regex SizePattern();

    [GeneratedRegex(@"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$")]
    private static partial Regex DurationPattern();
}
