using System.Collections;
using Microsoft.Extensions.Logging;

namespace ActorPubSub.Observability;

/// <summary>
/// The Microsoft.Extensions.Logging scope around a handler invocation of a message with a correlation id: every
/// line the handler logs (through the host's logger factory) carries <c>CorrelationId</c>, <c>Topic</c>,
/// <c>Subscription</c> and <c>Sequence</c> as structured properties. The scope flows with the handler's async
/// continuations.
/// </summary>
internal sealed class HandlerLogScope(ILogger logger)
{
    public const string Category = "ActorPubSub.Consumer";

    public IDisposable? Begin(string correlationId, string topic, string subscription, long sequence) =>
        logger.BeginScope(new State(correlationId, topic, subscription, sequence));

    private sealed class State(string correlationId, string topic, string subscription, long sequence)
        : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => 4;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("CorrelationId", correlationId),
            1 => new("Topic", topic),
            2 => new("Subscription", subscription),
            3 => new("Sequence", sequence),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (var i = 0; i < Count; i++) yield return this[i];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        // What text formatters (the console's IncludeScopes) print.
        public override string ToString() => $"CorrelationId:{correlationId} {topic}/{subscription}#{sequence}";
    }
}
