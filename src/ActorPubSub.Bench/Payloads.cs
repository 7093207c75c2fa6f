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

    public static long Number(byte[] payload) => BinaryPrimitives.ReadInt64LittleEndian(payload.AsSpan(8));

    public static double MicrosSincePublish(byte[] payload) =>
        Stopwatch.GetElapsedTime(BinaryPrimitives.ReadInt64LittleEndian(payload)).TotalMicroseconds;
}
