using System.Text.Json.Nodes;

namespace ActorPubSub.Server.Admin;

/// <summary>
/// An admin request that cannot be carried out, with the HTTP status it answers with and a one-line message that says
/// what was wrong and what is allowed. Thrown by the argument binder and by commands; the endpoint turns it into
/// <c>{"error": "...", ...}</c>.
/// </summary>
internal sealed class AdminException(int status, string message, JsonObject? details = null) : Exception(message)
{
    public int Status { get; } = status;

    /// <summary>More fields for the error body, e.g. the usage or the palettes that exist.</summary>
    public JsonObject? Details { get; } = details;

    public static AdminException BadArgument(string argument, string rule, string usage) =>
        new(400, $"{argument}: {rule}", new JsonObject { ["argument"] = argument, ["usage"] = usage });

    public static AdminException BadRequest(string message) => new(400, message);

    public static AdminException NotFound(string message) => new(404, message);

    public static AdminException Conflict(string message) => new(409, message);

    /// <summary>What the command asked did not answer in time (the host keeps running).</summary>
    public static AdminException Timeout(string what, TimeSpan timeout) =>
        new(504, $"{what} did not answer within {timeout.TotalSeconds:0.#} s");

    public static AdminException Unavailable(string message) => new(503, message);
}
