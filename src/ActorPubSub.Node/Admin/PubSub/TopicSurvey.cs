using ActorPubSub.Client;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Node.Admin.PubSub;

/// <summary>
/// Asks a page of topics for their <see cref="TopicInfo"/>, a few at a time: each ask wakes a passivated topic (it
/// recovers from its snapshot and journal, then passivates again when idle), so a listing must not wake thousands at
/// once. A topic that does not answer in time is listed as such instead of failing the whole listing.
/// </summary>
internal static class TopicSurvey
{
    public const int Concurrency = 8;
    public static readonly TimeSpan TopicTimeout = TimeSpan.FromSeconds(5);

    /// <summary>A topic and its state, or why it has none.</summary>
    public sealed record Row(string Topic, TopicInfo? Info, string? Error);

    public static async Task<IReadOnlyList<Row>> SurveyAsync(AdminContext context, IReadOnlyList<string> topics)
    {
        var pubsub = PubSubClient.Get(context.System);
        var rows = new Row[topics.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, topics.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = context.Cancellation },
            async (i, cancellationToken) =>
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TopicTimeout);
                try
                {
                    rows[i] = new Row(topics[i], await pubsub.GetTopicInfoAsync(topics[i], timeout.Token), null);
                }
                catch (Exception e) when (e is OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
                {
                    rows[i] = new Row(topics[i], null, $"no answer within {TopicTimeout.TotalSeconds:0} s");
                }
                catch (PubSubRejectedException e)
                {
                    rows[i] = new Row(topics[i], null, e.Message);
                }
            });
        return rows;
    }
}
