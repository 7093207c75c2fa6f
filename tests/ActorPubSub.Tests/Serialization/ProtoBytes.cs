using System.Collections.Immutable;
using Google.Protobuf;

namespace ActorPubSub.Tests.Serialization;

/// <summary>What the hand-written readers' specs share: protobuf bytes written field by field, and headers compared as sets.</summary>
internal static class ProtoBytes
{
    public static byte[] Write(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        write(output);
        output.Flush();
        return buffer.ToArray();
    }

    public static void AssertSameHeaders(ImmutableDictionary<string, string>? expected, ImmutableDictionary<string, string>? actual)
    {
        Assert.Equal(expected is null, actual is null);
        if (expected is not null) Assert.Equal(expected.OrderBy(h => h.Key, StringComparer.Ordinal), actual!.OrderBy(h => h.Key, StringComparer.Ordinal));
    }
}
