
namespace ActorPubSub.Observability;

/// <summary>
/// Message headers ActorPubSub itself sets (<c>PublishOptions.Headers</c> names them too; they travel with the
/// message through the journal to every delivery). The trace headers are the W3C Trace Context ones, so a bridge to
/// or from another system carries the trace as it is.
/// </summary>
public static class PubSubHeaders
{
    /// <summary>
    /// W3C <c>traceparent</c> of the publish span. Set by the client when it starts a publish activity (a listener is
    /// attached); otherwise a value given in <c>PublishOptions.Headers</c> is kept and consumers continue that trace.
    /// </summary>
    public const string TraceParent = "traceparent";

    /// <summary>W3C <c>tracestate</c> of the publish span, when it has one.</summary>
    public const string TraceState = "tracestate";

    /// <summary>
    /// The correlation id (<c>PublishOptions.CorrelationId</c>, else the ambient <see cref="PubSubCorrelation.Current"/>,
    /// else generated when <c>actorpubsub.client.generate-correlation-id</c> is on), delivered as
    /// <c>Delivery.CorrelationId</c> and put in the log scope of the handler.
    /// </summary>
    public const string CorrelationId = "correlation-id";
}
