using System.Buffers.Binary;
using System.Diagnostics;

namespace ActorPubSub.Bench;

/// <summary>Benchmark payloads: bytes 0..7 the Stopwatch timestamp at publish, 8..15 the message number.</summary>
internal static class Payloads
{
    public static byte[] Create(int size, long number)
    {
        var payload = new byte[size];
        BinaryPrimitives.WriteInt64LittleEndian(payload, Stopwatch.GetTimestamp());
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(8), number);
        return payload;
    }

    /// <summary>
    /// As <see cref="Create"/> with random bytes after the header: what a workload measuring the store's size on disk
    /// publishes, since PostgreSQL compresses large rows (TOAST) and would shrink the zeros of the plain payloads to nothing.
    /// </summary>
    public static byte[] CreateIncompressible(int size, long number)
    {
        var payload = Create(size, number);
        Random.Shared.NextBytes(payload.AsSpan(16));
        return payload;
    }

    /// <summary>The fixed part of <see cref="CreateJson"/>: <c>{"t":"</c> 20 digits <c>","n":"</c> 20 digits <c>","p":"</c> ... <c>"}</c>.</summary>
    public const int JsonHeader = 6 + 20 + 7 + 20 + 7 + 2;

    /// <summary>The schema <see cref="CreateJson"/>'s payloads pass (what <c>--validation</c> registers).</summary>
    public const string JsonSchema =
        """{"type":"object","properties":{"t":{"type":"string","pattern":"^[0-9]{20}$"},"n":{"type":"string","pattern":"^[0-9]{20}$"},"p":{"type":"string"}},"required":["t","n"]}""";

    /// <summary>
    /// A JSON payload of <paramref name="size"/> bytes carrying the same two numbers at fixed places (so a consumer reads
    /// them without parsing): <c>{"t":"00000000123456789012","n":"00000000000000000042","p":"xxxx"}</c>.
    /// </summary>
    public static byte[] CreateJson(int size, long number)
    {
        var text = $"{{\"t\":\"{Stopwatch.GetTimestamp():D20}\",\"n\":\"{number:D20}\",\"p\":\"{new string('x', size - JsonHeader)}\"}}";
        return System.Text.Encoding.ASCII.GetBytes(text);
    }

    // The reader is told which kind it reads: a binary payload's first byte is the low byte of a timestamp, which is '{'
    // for one message in 256, so sniffing it misread those (the consumer's handler threw, and W1 never completed).

    /// <param name="json">The payload is <see cref="CreateJson"/>'s, not <see cref="Create"/>'s.</param>
    public static long Number(byte[] payload, bool json = false) => json
        ? long.Parse(payload.AsSpan(33, 20), provider: System.Globalization.CultureInfo.InvariantCulture)
        : BinaryPrimitives.ReadInt64LittleEndian(payload.AsSpan(8));

    public static double MicrosSincePublish(byte[] payload) =>
        Stopwatch.GetElapsedTime(BinaryPrimitives.ReadInt64LittleEndian(payload)).TotalMicroseconds;
}
