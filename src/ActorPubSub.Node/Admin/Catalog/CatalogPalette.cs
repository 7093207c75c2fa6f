using System.Globalization;
using ActorPubSub.Catalog;
using ActorPubSub.Client;
using ActorPubSub.Node.Admin.PubSub;

namespace ActorPubSub.Node.Admin.Catalog;

/// <summary>
/// <c>catalog</c>: the topic catalogue — owners, descriptions, schema versions, compatibility and validation — and its
/// AsyncAPI export. Schema files are read by pbm (an option named <c>*-file</c>) and arrive here as their text.
/// </summary>
internal static class CatalogPalette
{
    private static readonly CommandArgument Topic = CommandArgument.Positional("topic", "the topic");
    private static readonly CommandArgument SchemaFile =
        CommandArgument.Option("schema-file", 'f', "a JSON Schema document (pbm sends the file's text)") with { ValueName = "file" };
    private static readonly CommandArgument DescriptorSet =
        CommandArgument.Option("proto-descriptor-set", null,
            "instead of --schema-file: a serialized Protobuf FileDescriptorSet (protoc --descriptor_set_out=F --include_imports; pbm sends it base64)") with { ValueName = "file" };
    private static readonly CommandArgument Message =
        CommandArgument.Option("message", 'm', "with --proto-descriptor-set: the full name of the payloads' message type") with { ValueName = "package.Type" };
    private static readonly CommandArgument Compat =
        CommandArgument.Option("compat", null, "the compatibility mode new versions are checked with") with { ValueName = string.Join('|', CatalogNames.CompatibilityNames) };
    private static readonly CommandArgument Validation =
        CommandArgument.Option("validation", null, "what a publish failing the schema does: off, warn (stored, counted), enforce (refused)") with { ValueName = "off|warn|enforce" };

    public static CommandPalette Create() => new("catalog", "topic owners, schema versions, compatibility, validation, AsyncAPI export",
    [
        new AdminCommand("list", "every topic in the catalogue: owner, current version, compatibility, validation", []) { Run = ListAsync },
        new AdminCommand("show", "one topic's entry and its schema versions", [Topic]) { Run = ShowAsync },
        new AdminCommand("register", "registers a schema as the topic's next version, checked against its compatibility mode",
            [Topic, SchemaFile, DescriptorSet, Message, Compat, Validation]) { Run = (c, a) => RegisterAsync(c, a, dryRun: false) },
        new AdminCommand("check", "checks a schema against the topic's versions without registering it (dry run)",
            [Topic, SchemaFile, DescriptorSet, Message, Compat]) { Run = (c, a) => RegisterAsync(c, a, dryRun: true) },
        new AdminCommand("set", "sets a topic's owner, description, tags or modes",
        [
            Topic,
            CommandArgument.Option("owner", 'o', "the owning team or person"),
            CommandArgument.Option("description", 'd', "what the topic carries"),
            CommandArgument.Option("tag", 't', "a tag, given once per tag (replaces the tags)") with { Repeated = true },
            Compat,
            Validation,
        ]) { Run = SetAsync },
        new AdminCommand("export", "the catalogue as an AsyncAPI 3.0 document (channels, messages, owners)", []) { Run = ExportAsync },
    ]);

    private static async Task<CommandResult> ListAsync(AdminContext context, CommandArgs args)
    {
        var contracts = await PubSubErrors.CallAsync(() => PubSubClient.Get(context.System).ListContractsAsync(context.Cancellation));
        // Retention is the topic's own setting (pubsub configure): asked of each topic, never copied into the catalogue.
        var topics = await TopicSurvey.SurveyAsync(context, [.. contracts.Select(c => c.Topic)]);
        var rows = contracts.Select((c, i) => (IReadOnlyList<string>)
            [c.Topic, c.Owner ?? "", c.Current is { } v ? v.Version.ToString(CultureInfo.InvariantCulture) : "-", CatalogNames.Name(c.Compatibility),
             CatalogNames.Name(c.Validation), RetentionCell(topics[i])]).ToList();
        return new CommandResult(new JsonObject { ["topics"] = new JsonArray([.. contracts.Select((c, i) => (JsonNode?)Json(c, withSchemas: false, topics[i]))]) },
            [ViewBlock.Of(new ViewTable(["TOPIC", "OWNER", "VERSION", "COMPATIBILITY", "VALIDATION", "RETENTION"], rows)),
             ViewBlock.Text([$"{contracts.Count} topic(s) in the catalogue"])]);
    }

    private static async Task<CommandResult> ShowAsync(AdminContext context, CommandArgs args)
    {
        var topic = PubSubErrors.Topic(args);
        var contract = await PubSubErrors.CallAsync(() => PubSubClient.Get(context.System).GetContractAsync(topic, context.Cancellation))
                       ?? throw AdminException.NotFound($"topic '{topic}' has no catalogue entry (register a schema or set its owner first)");
        var state = (await TopicSurvey.SurveyAsync(context, [topic]))[0];
        var lines = new List<string>
        {
            $"Topic:         {contract.Topic}",
            $"Owner:         {contract.Owner ?? "-"}",
            $"Description:   {contract.Description ?? "-"}",
            $"Tags:          {(contract.Tags.IsDefaultOrEmpty ? "-" : string.Join(", ", contract.Tags))}",
            $"Compatibility: {CatalogNames.Name(contract.Compatibility)}",
            $"Validation:    {CatalogNames.Name(contract.Validation)}",
            $"Retention:     {(state.Info is { } info ? DescribeRetention(info.Retention) : $"? ({state.Error})")}",
            $"Limits:        {(state.Info is { Limits: { } limits } ? TopicJson.DescribeLimits(limits) : state.Info is null ? $"? ({state.Error})" : "not reported by the node hosting the topic")}",
        };
        foreach (var version in contract.Versions)
            lines.Add($"Version {version.Version} (id {version.Id}, {version.RegisteredAt:u}): " + (version.Format == SchemaFormat.Protobuf
                ? $"Protobuf message {version.MessageType} ({(version.Schema.Length * 3 / 4).ToString(CultureInfo.InvariantCulture)}-byte descriptor set)"
                : version.Schema));
        return CommandResult.Lines(Json(contract, withSchemas: true, state), lines);
    }

    private static string DescribeRetention(TopicRetention retention) => retention.KeepsAcked
        ? $"acknowledged messages kept {TopicJson.Duration(retention.MaxAge)} / {TopicJson.Number(retention.MaxMessages)} messages"
        : "acknowledged messages dropped at once";

    private static string RetentionCell(TopicSurvey.Row row) => row.Info is not { } info ? "?"
        : info.Retention.KeepsAcked ? $"{TopicJson.Age(info.Retention.MaxAge)}, {TopicJson.Number(info.Retention.MaxMessages)} msgs"
        : "none";

    private static async Task<CommandResult> RegisterAsync(AdminContext context, CommandArgs args, bool dryRun)
    {
        var topic = PubSubErrors.Topic(args);
        var schema = args.String("schema-file");
        var descriptorSet = args.String("proto-descriptor-set");
        var messageType = args.String("message");
        if ((schema is null) == (descriptorSet is null))
            throw AdminException.BadArgument("schema-file", "give either --schema-file (JSON Schema) or --proto-descriptor-set with --message (Protobuf)", args.Usage);
        if (schema is not null && messageType is not null)
            throw AdminException.BadArgument("message", "--message names the Protobuf message type; it goes with --proto-descriptor-set, not --schema-file", args.Usage);
        var compat = Mode(args, "compat", CatalogNames.ParseCompatibility);
        var validation = dryRun ? null : Mode(args, "validation", CatalogNames.ParseValidation);
        SchemaRegistered registered;
        if (schema is not null)
        {
            if (SchemaDocument.Validate(schema) is { } error) throw args.Invalid("schema-file", error);
            registered = await PubSubErrors.CallAsync(() =>
                PubSubClient.Get(context.System).RegisterSchemaAsync(topic, schema, compat, validation, dryRun, context.Cancellation));
        }
        else
        {
            if (messageType is null)
                throw AdminException.BadArgument("message", "--proto-descriptor-set needs --message, the full name of the payloads' message type (package.Type)", args.Usage);
            if (ProtobufSchema.Validate(descriptorSet, messageType) is { } error) throw args.Invalid("proto-descriptor-set", error);
            var bytes = Convert.FromBase64String(descriptorSet!);
            registered = await PubSubErrors.CallAsync(() =>
                PubSubClient.Get(context.System).RegisterProtobufSchemaAsync(topic, bytes, messageType, compat, validation, dryRun, context.Cancellation));
        }
        var data = Json(registered.Contract, withSchemas: false);
        data["version"] = registered.Version;
        data["dryRun"] = dryRun;
        data["unchanged"] = registered.Unchanged;
        var line = dryRun ? $"Compatible: the schema would be version {registered.Version} of topic {topic} ({CatalogNames.Name(registered.Contract.Compatibility)})."
            : registered.Unchanged ? $"Unchanged: the schema is version {registered.Version} of topic {topic} already."
            : $"Registered version {registered.Version} of topic {topic} ({CatalogNames.Name(registered.Contract.Compatibility)}, validation {CatalogNames.Name(registered.Contract.Validation)}).";
        return CommandResult.Lines(data, line);
    }

    private static async Task<CommandResult> SetAsync(AdminContext context, CommandArgs args)
    {
        var topic = PubSubErrors.Topic(args);
        var tags = args.Strings("tag");
        var compat = Mode(args, "compat", CatalogNames.ParseCompatibility);
        var validation = Mode(args, "validation", CatalogNames.ParseValidation);
        if (args.String("owner") is null && args.String("description") is null && tags.Count == 0 && compat is null && validation is null)
            throw AdminException.BadArgument("set", "give at least one of --owner, --description, --tag, --compat, --validation", args.Usage);
        var contract = await PubSubErrors.CallAsync(() => PubSubClient.Get(context.System).SetTopicInfoAsync(topic, args.String("owner"),
            args.String("description"), tags.Count == 0 ? null : tags, compat, validation, context.Cancellation));
        return CommandResult.Lines(Json(contract, withSchemas: false), $"Set topic {topic}: owner {contract.Owner ?? "-"}, " +
            $"compatibility {CatalogNames.Name(contract.Compatibility)}, validation {CatalogNames.Name(contract.Validation)}.");
    }

    private static async Task<CommandResult> ExportAsync(AdminContext context, CommandArgs args)
    {
        var contracts = await PubSubErrors.CallAsync(() => PubSubClient.Get(context.System).ListContractsAsync(context.Cancellation));
        var topics = await TopicSurvey.SurveyAsync(context, [.. contracts.Select(c => c.Topic)]);
        var document = AsyncApiDocument.Create(contracts, contracts.Sum(c => (long)c.Versions.Length),
            topics.Where(t => t.Info is not null).ToDictionary(t => t.Topic, t => t.Info!, StringComparer.Ordinal));
        return CommandResult.Lines(document, document.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    private delegate T? Parser<T>(string text, out string? error) where T : struct;

    private static T? Mode<T>(CommandArgs args, string name, Parser<T> parse) where T : struct =>
        args.String(name) is { } text ? parse(text, out var error) ?? throw args.Invalid(name, error!) : null;

    private static JsonObject Json(TopicContract contract, bool withSchemas, TopicSurvey.Row? topic = null)
    {
        var json = new JsonObject
        {
            ["topic"] = contract.Topic,
            ["owner"] = contract.Owner,
            ["description"] = contract.Description,
            ["tags"] = new JsonArray([.. contract.Tags.Select(t => (JsonNode?)t)]),
            ["compatibility"] = CatalogNames.Name(contract.Compatibility),
            ["validation"] = CatalogNames.Name(contract.Validation),
            ["currentVersion"] = contract.Current?.Version,
        };
        if (topic?.Info is { } info)
        {
            // In effect on the topic (its own or the node's default), as `pubsub topic` shows it.
            json["retention"] = TopicJson.Retention(info.Retention);
            json["limits"] = info.Limits is null ? null : TopicJson.Limits(info.Limits);
        }
        else if (topic is not null) json["retentionError"] = topic.Error;
        json["versions"] = new JsonArray([.. contract.Versions.Select(v =>
        {
            var item = new JsonObject { ["version"] = v.Version, ["id"] = v.Id, ["registeredAt"] = v.RegisteredAt };
            item["format"] = v.Format == SchemaFormat.Protobuf ? "protobuf" : "json";
            if (v.MessageType is not null) item["messageType"] = v.MessageType;
            if (withSchemas) item["schema"] = v.Format == SchemaFormat.Protobuf ? v.Schema : SchemaDocument.Parse(v.Schema);
            return (JsonNode?)item;
        })]);
        return json;
    }
}
