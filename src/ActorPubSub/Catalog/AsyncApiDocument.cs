using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ActorPubSub.Catalog;

/// <summary>
/// The catalogue as an AsyncAPI 3.0 document: one channel per topic (its address the topic's name, its description, its
/// owner as <c>x-owner</c>, its tags), one message per schema version in <c>components.messages</c> (the channel lists
/// the current one), and a <c>send</c> operation per topic with a schema. The topic's retention and limits in effect, read
/// from the topic itself when the document is made (the catalogue keeps no copy that could drift), are the channel's
/// <c>x-retention</c> and <c>x-limits</c> (durations in ISO 8601, 0 for none).
/// </summary>
public static partial class AsyncApiDocument
{
    /// <summary>The document for <paramref name="contracts"/>; <paramref name="revision"/> becomes <c>info.version</c>.</summary>
    /// <param name="topics">Each topic's state as the topic answered (its retention and limits); a topic missing here has no <c>x-retention</c>.</param>
    public static JsonObject Create(IEnumerable<TopicContract> contracts, long revision, IReadOnlyDictionary<string, TopicInfo>? topics = null)
    {
        var channels = new JsonObject();
        var operations = new JsonObject();
        var messages = new JsonObject();
        foreach (var contract in contracts.OrderBy(c => c.Topic, StringComparer.Ordinal))
        {
            var id = Key(contract.Topic);
            var channel = new JsonObject { ["address"] = contract.Topic };
            if (contract.Description is { } description) channel["description"] = description;
            if (contract.Owner is { } owner) channel["x-owner"] = owner;
            if (!contract.Tags.IsDefaultOrEmpty) channel["tags"] = new JsonArray([.. contract.Tags.Select(t => (JsonNode)new JsonObject { ["name"] = t })]);
            channel["x-compatibility"] = CatalogNames.Name(contract.Compatibility);
            channel["x-validation"] = CatalogNames.Name(contract.Validation);
            if (topics?.GetValueOrDefault(contract.Topic) is { } info)
            {
                channel["x-retention"] = new JsonObject
                {
                    ["maxAge"] = System.Xml.XmlConvert.ToString(info.Retention.MaxAge),
                    ["maxMessages"] = info.Retention.MaxMessages,
                };
                if (info.Limits is { } limits)
                    channel["x-limits"] = new JsonObject
                    {
                        ["maxBytes"] = limits.MaxBytes,
                        ["maxMessages"] = limits.MaxMessages,
                        ["maxAge"] = System.Xml.XmlConvert.ToString(limits.MaxAge),
                        ["whenFull"] = limits.WhenFull == WhenFull.DropOldest ? "drop-oldest" : "refuse",
                    };
            }
            var channelMessages = new JsonObject();
            foreach (var version in contract.Versions)
            {
                var messageId = $"{id}.v{version.Version}";
                var message = new JsonObject
                {
                    ["name"] = messageId,
                    ["title"] = $"{contract.Topic} version {version.Version}",
                };
                if (version.Format == SchemaFormat.Protobuf)
                {
                    // AsyncAPI takes Protobuf schemas as .proto source, which a descriptor set is not: the contract goes in extensions.
                    message["contentType"] = "application/x-protobuf";
                    message["x-protobuf-message-type"] = version.MessageType;
                    message["x-protobuf-descriptor-set"] = version.Schema;
                }
                else
                {
                    message["contentType"] = "application/json";
                    message["payload"] = SchemaDocument.Parse(version.Schema);
                }
                message["x-schema-id"] = version.Id;
                message["x-schema-version"] = version.Version;
                messages[messageId] = message;
            }
            if (contract.Current is { } current)
            {
                var messageId = $"{id}.v{current.Version}";
                channelMessages[messageId] = new JsonObject { ["$ref"] = $"#/components/messages/{messageId}" };
                operations[$"send-{id}"] = new JsonObject
                {
                    ["action"] = "send",
                    ["channel"] = new JsonObject { ["$ref"] = $"#/channels/{id}" },
                    ["messages"] = new JsonArray(new JsonObject { ["$ref"] = $"#/channels/{id}/messages/{messageId}" }),
                };
            }
            channel["messages"] = channelMessages;
            channels[id] = channel;
        }
        return new JsonObject
        {
            ["asyncapi"] = "3.0.0",
            ["info"] = new JsonObject
            {
                ["title"] = "ActorPubSub topics",
                ["version"] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["description"] = "The topic catalogue of an ActorPubSub cluster: owners, descriptions and JSON Schema contracts.",
            },
            ["defaultContentType"] = "application/json",
            ["channels"] = channels,
            ["operations"] = operations,
            ["components"] = new JsonObject { ["messages"] = messages },
        };
    }

    /// <summary>A topic name as an AsyncAPI key (letters, digits, '.', '-', '_').</summary>
    private static string Key(string topic) => KeyUnsafe().Replace(topic, "_");

    [GeneratedRegex(@"[^A-Za-z0-9._\-]")]
    private static partial Regex KeyUnsafe();
}
