using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ActorPubSub.Catalog;

/// <summary>
/// The catalogue as an AsyncAPI 3.0 document: one channel per topic (its address the topic's name, its description, its
/// owner as <c>x-owner</c>, its tags), one message per schema version in <c>components.messages</c> (the channel lists
/// the current one), and a <c>send</c> operation per topic with a schema.
/// </summary>
public static partial class AsyncApiDocument
{
    /// <summary>The document for <paramref name="contracts"/>; <paramref name="revision"/> becomes <c>info.version</c>.</summary>
    public static JsonObject Create(IEnumerable<TopicContract> contracts, long revision)
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
            var channelMessages = new JsonObject();
            foreach (var version in contract.Versions)
            {
                var messageId = $"{id}.v{version.Version}";
                messages[messageId] = new JsonObject
                {
                    ["name"] = messageId,
                    ["title"] = $"{contract.Topic} version {version.Version}",
                    ["contentType"] = "application/json",
                    ["payload"] = SchemaDocument.Parse(version.Schema),
                    ["x-schema-id"] = version.Id,
                    ["x-schema-version"] = version.Version,
                };
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
