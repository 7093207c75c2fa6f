
namespace ActorPubSub.Observability;

/// <summary>
/// The ambient correlation id: set around every handler that received a message with one, and taken by the
/// publishes made from there (unless they give their own), so a chain of messages keeps one id. Applications set it
/// too, e.g. from an incoming HTTP request's header.
/// </summary>
public static class PubSubCorrelation
{
    private static readonly AsyncLocal<string?> Ambient = new();

    /// <summary>The correlation id of the current async flow, or null.</summary>
    public static string? Current
    {
        get => Ambient.Value;
        set => Ambient.Value = value;
    }

    /// <summary>A new correlation id: 32 lower-case hex digits.</summary>
    public static string NewId() => Guid.NewGuid().ToString("N");
}
