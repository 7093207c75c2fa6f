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

    public static long Number(byte[] payload) => BinaryPrimitives.ReadInt64LittleEndian(payload.AsSpan(8));

    public static double MicrosSincePublish(byte[] payload) =>
        Stopwatch.GetElapsedTime(BinaryPrimitives.ReadInt64LittleEndian(payload)).TotalMicroseconds;
}
