using System.Globalization;

namespace ActorPubSub.Memory;

/// <summary>Byte counts as people read them in log lines and errors: <c>512 MiB</c>, <c>5.5 MiB</c>, <c>300 B</c>.</summary>
internal static class ByteSize
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    public static string Format(long bytes)
    {
        var value = (double)bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString(value == Math.Floor(value) ? "0" : "0.#", CultureInfo.InvariantCulture) + " " + Units[unit];
    }
}
