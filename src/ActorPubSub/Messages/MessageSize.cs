using System.Collections.Immutable;
using ActorPubSub.Messages;

namespace ActorPubSub.Messages;

/// <summary>The one definition of a message's size, shared by the edge checks and the topic's limits.</summary>
public static class MessageSize
{
    public static int Of(Payload payload, string? key, ImmutableDictionary<string, string>? headers, string? messageId)
    {
        var size = payload.Size + (key?.Length ?? 0) + (messageId?.Length ?? 0);
        if (headers is not null)
            foreach (var (name, value) in headers)
                size += name.Length + value.Length;
        return size;
    }
}
