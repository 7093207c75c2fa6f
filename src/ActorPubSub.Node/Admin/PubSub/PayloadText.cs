using System.Globalization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Node.Admin.PubSub;

/// <summary>
/// Shows a stored message to an operator without trusting it: only strings and byte arrays are deserialized (with
/// Akka's primitive and byte-array serializers, which create no other types); any other payload is shown as its bytes,
/// as UTF-8 text when they are text (JSON payloads then read as they are), else as base64. A payload type this node
/// does not have, or a serializer that would create arbitrary types from the bytes, is never run here.
/// </summary>
internal static class PayloadText
{
    /// <summary>Longest payload text in a JSON answer; longer ones are cut and marked.</summary>
    public const int MaxJsonChars = 64 * 1024;

    public sealed record Shown(string Text, string Kind, int Bytes, bool Truncated);

    public static Shown Show(ActorSystem system, Payload payload)
    {
        var text = Decode(system, payload, out var kind);
        var truncated = text.Length > MaxJsonChars;
        return new Shown(truncated ? text[..MaxJsonChars] : text, kind, payload.Bytes.Length, truncated);
    }

    /// <summary>The text on one line, cut at <paramref name="max"/> characters.</summary>
    public static string Preview(Shown shown, int max)
    {
        var line = shown.Text.ReplaceLineEndings("\\n");
        return line.Length <= max ? line : line[..max] + $"... ({shown.Bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes)";
    }

    /// <summary>A message as JSON: sequence, timestamp, key, id, headers and the payload as shown.</summary>
    public static JsonObject Message(ActorSystem system, TopicMessage message)
    {
        var shown = Show(system, message.Payload);
        return new JsonObject
        {
            ["sequence"] = message.Sequence,
            ["timestamp"] = message.Timestamp.ToString("O", CultureInfo.InvariantCulture),
            ["key"] = message.Key,
            ["messageId"] = message.MessageId,
            ["headers"] = message.Headers is null ? null : new JsonObject([.. message.Headers.OrderBy(h => h.Key, StringComparer.Ordinal)
                .Select(h => KeyValuePair.Create(h.Key, (JsonNode?)JsonValue.Create(h.Value)))]),
            ["payload"] = shown.Text,
            ["payloadKind"] = shown.Kind,
            ["payloadBytes"] = shown.Bytes,
            ["payloadTruncated"] = shown.Truncated,
            ["serializerId"] = message.Payload.SerializerId,
            ["manifest"] = message.Payload.Manifest,
        };
    }

    /// <summary><c>key=customer-7 region=eu</c>: the key and headers, for a one-line view.</summary>
    public static string Attributes(TopicMessage message)
    {
        var parts = new List<string>();
        if (message.Key is { } key) parts.Add($"key={key}");
        if (message.MessageId is { } id) parts.Add($"id={id}");
        foreach (var (name, value) in (message.Headers ?? []).OrderBy(h => h.Key, StringComparer.Ordinal)) parts.Add($"{name}={value}");
        return string.Join(' ', parts);
    }

    private static string Decode(ActorSystem system, Payload payload, out string kind)
    {
        try
        {
            if (IsSafe(system, payload.SerializerId))
            {
                switch (system.Serialization.Deserialize(payload.Bytes, payload.SerializerId, payload.Manifest))
                {
                    case string s: kind = "string"; return s;
                    case byte[] b: return Bytes(b, out kind);
                    case { } primitive: kind = primitive.GetType().Name; return Convert.ToString(primitive, CultureInfo.InvariantCulture) ?? "";
                }
            }
        }
        catch (Exception e) when (e is System.Runtime.Serialization.SerializationException
                                       or ArgumentException or InvalidOperationException or FormatException)
        {
            // Not decodable here: shown as bytes below.
        }
        return Bytes(payload.Bytes, out kind);
    }

    /// <summary>The serializers of strings (Akka.Remote's primitive serializer) and of byte arrays: they create nothing else.</summary>
    private static bool IsSafe(ActorSystem system, int serializerId)
    {
        var strings = system.Serialization.FindSerializerForType(typeof(string));
        var bytes = system.Serialization.FindSerializerForType(typeof(byte[]));
        return (serializerId == strings.Identifier && strings is Akka.Remote.Serialization.PrimitiveSerializers)
               || (serializerId == bytes.Identifier && bytes is ByteArraySerializer);
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string Bytes(byte[] bytes, out string kind)
    {
        try
        {
            var text = StrictUtf8.GetString(bytes);
            if (!text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            {
                kind = "text";
                return text;
            }
        }
        catch (DecoderFallbackException)
        {
            // not UTF-8
        }
        kind = "base64";
        return Convert.ToBase64String(bytes);
    }
}
