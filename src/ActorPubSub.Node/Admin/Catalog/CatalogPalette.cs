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
        CommandArgument.Option("schema-file", 'f', "a JSON Schema document (pbm sends the file's text)") with { Required = true, ValueName = "file" };
    private static readonly CommandArgument Compat =
        CommandArgument.Option("compat", null, "the compatibility mode new versions are checked with") with { ValueName = string.Join('|', CatalogNames.CompatibilityNames) };
    private static readonly CommandArgument Validation =
        CommandArgument.Option("validation", null, "what a publish failing the schema does: off, warn (stored, counted), enforce (refused)") with { ValueName = "off|warn|enforce" };

    public static CommandPalette Create() => new("catalog", "topic owners, schema versions, compatibility, validation, AsyncAPI export",
    [
        new AdminCommand("list", "every topic in the catalogue: owner, current version, compatibility, validation", []) { Run = ListAsync },
        new AdminCommand("show", "one topic's entry and its schema versions", [Topic]) { Run = ShowAsync },
        new AdminCommand("register", "registers a schema as the topic's next version, checked against its compatibility mode",
            [Topic, SchemaFile, Compat, Validation]) { Run = (c, a) => RegisterAsync(c, a, dryRun: false) },
        new AdminCommand("check", "checks a schema against the topic's versions without registering it (dry run)",
            [Topic, SchemaFile, Compat]) { Run = (c, a) => RegisterAsync(c, a, dryRun: true) },
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
        var rows = contracts.Select(c => (IReadOnlyList<string>)
            [c.Topic, c.Owner ?? "", c.Current is { } v ? v.Version.ToString(CultureInfo.InvariantCulture) : "-", CatalogNames.Name(c.Compatibility), CatalogNames.Name(c.Validation)]).ToList();
        return new CommandResult(new JsonObject { ["topics"] = new JsonArray([.. contracts.Select(c => (JsonNode?)Json(c, withSchemas: false))]) },
            [ViewBlock.Of(new ViewTable(["TOPIC", "OWNER", "VERSION", "COMPATIBILITY", "VALIDATION"], rows)),
             ViewBlock.Text([$"{contracts.Count} topic(s) in the catalogue"])]);
    }

    private static async Task<CommandResult> ShowAsync(AdminContext context, CommandArgs args)
    {
        var topic = PubSubErrors.Topic(args);
        var contract = await PubSubErrors.CallAsync(() => PubSubClient.Get(context.System).GetContractAsync(topic, context.Cancellation))
                       ?? throw AdminException.NotFound($"topic '{topic}' has no catalogue entry (register a schema or set its owner first)");
        var lines = new List<string>
        {
            $"Topic:         {contract.Topic}",
            $"Owner:         {contract.Owner ?? "-"}",
            $"Description:   {contract.Description ?? "-"}",
            $"Tags:          {(contract.Tags.IsDefaultOrEmpty ? "-" : string.Join(", ", contract.Tags))}",
            $"Compatibility: {CatalogNames.Name(contract.Compatibility)}",
            $"Validation:    {CatalogNames.Name(contract.Validation)}",
        };
        foreach (var version in contract.Versions)
            lines.Add($"Version {version.Version} (id {version.Id}, {version.RegisteredAt:u}): {version.Schema}");
        return CommandResult.Lines(Json(contract, withSchemas: true), lines);
    }

    private static async Task<CommandResult> RegisterAsync(AdminContext context, CommandArgs args, bool dryRun)
    {
        var topic = PubSubErrors.Topic(args);
        var schema = args.RequiredString("schema-file");
        if (SchemaDocument.Validate(schema) is { } error) throw args.Invalid("schema-file", error);
        var compat = Mode(args, "compat", CatalogNames.ParseCompatibility);
        var validation = dryRun ? null : Mode(args, "validation", CatalogNames.ParseValidation);
        var registered = await PubSubErrors.CallAsync(() =>
            PubSubClient.Get(context.System).RegisterSchemaAsync(topic, schema, compat, validation, dryRun, context.Cancellation));
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
        var document = AsyncApiDocument.Create(contracts, contracts.Sum(c => (long)c.Versions.Length));
        return CommandResult.Lines(document, document.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    private delegate T? Parser<T>(string text, out string? error) where T : struct;

    private static T? Mode<T>(CommandArgs args, string name, Parser<T> parse) where T : struct =>
        args.String(name) is { } text ? parse(text, out var error) ?? throw args.Invalid(name, error!) : null;

    private static JsonObject Json(TopicContract contract, bool withSchemas)
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
        json["versions"] = new JsonArray([.. contract.Versions.Select(v =>
        {
            var item = new JsonObject { ["version"] = v.Version, ["id"] = v.Id, ["registeredAt"] = v.RegisteredAt };
            if (withSchemas) item["schema"] = SchemaDocument.Parse(v.Schema);
            return (JsonNode?)item;
        })]);
        return json;
    }
}
