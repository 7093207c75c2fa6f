using System.Collections.Immutable;
using System.Text;

namespace ActorPubSub.Messages;

/// <summary>
/// The one definition of a message's size, shared by the edge checks and the topic's limits: UTF-8 bytes of every field
/// (payload bytes and manifest, key, header names and values, message id), as they travel and are stored. Counting
/// UTF-16 characters let a 600,000-character CJK key (1.8 MB) pass the check and then be dropped by the remote frame limit.
/// </summary>
public static class MessageSize
{
    public static int Of(Payload payload, string? key, ImmutableDictionary<string, string>? headers, string? messageId) =>
        payload.Size + OfText(key) + OfText(messageId) + OfHeaders(headers);

    /// <summary>UTF-8 bytes of <paramref name="text"/> (0 for null).</summary>
    public static int OfText(string? text) => text is null ? 0 : Encoding.UTF8.GetByteCount(text);

    /// <summary>UTF-8 bytes of the header names and values (0 for none).</summary>
    public static int OfHeaders(ImmutableDictionary<string, string>? headers)
    {
        if (headers is null) return 0;
        var size = 0;
        foreach (var (name, value) in headers) size += OfText(name) + OfText(value);
        return size;
    }
}
