using System.Text.Json.Nodes;

namespace ActorPubSub.Server.Admin;

/// <summary>
/// What a command returns: <see cref="Data"/> (the JSON that <c>pbm --json</c> prints, for scripts) and
/// <see cref="View"/> (how pbm shows it to a person: lines and tables, rendered by the client). Formatting lives with
/// the command on the server, so pbm needs no change when a host gains a command.
/// </summary>
internal sealed record CommandResult(JsonNode? Data, IReadOnlyList<ViewBlock> View)
{
    public static CommandResult Lines(JsonNode? data, params IEnumerable<string> lines) => new(data, [ViewBlock.Text(lines)]);
}

/// <summary>A part of a command's view: some lines of text, or a table.</summary>
internal sealed record ViewBlock(IReadOnlyList<string>? Lines, ViewTable? Table)
{
    public static ViewBlock Text(IEnumerable<string> lines) => new([.. lines], null);

    public static ViewBlock Of(ViewTable table) => new(null, table);

    public JsonObject ToJson()
    {
        if (Table is { } table)
        {
            return new JsonObject
            {
                ["table"] = new JsonObject
                {
                    ["columns"] = new JsonArray([.. table.Columns.Select(c => (JsonNode?)JsonValue.Create(c))]),
                    ["rows"] = new JsonArray([.. table.Rows.Select(r => (JsonNode?)new JsonArray([.. r.Select(v => (JsonNode?)JsonValue.Create(v))]))]),
                },
            };
        }
        return new JsonObject { ["lines"] = new JsonArray([.. (Lines ?? []).Select(l => (JsonNode?)JsonValue.Create(l))]) };
    }
}

/// <summary>A table: column headings and rows of cells, all text (pbm aligns the columns).</summary>
internal sealed record ViewTable(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>
/// One event of a streaming command, written as one line of NDJSON: <c>{"type":"message","data":{...},"text":"..."}</c>.
/// Types: <c>started</c>, <c>message</c>, <c>heartbeat</c> (keeps an idle stream alive and lets the server notice a
/// vanished client), <c>end</c> (the server ended the stream, <see cref="Text"/> says why).
/// </summary>
internal sealed record CommandEvent(string Type, JsonNode? Data, string? Text)
{
    public static readonly CommandEvent Heartbeat = new("heartbeat", null, null);

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["type"] = Type };
        if (Data is not null) json["data"] = Data.DeepClone();
        if (Text is not null) json["text"] = Text;
        return json;
    }
}
