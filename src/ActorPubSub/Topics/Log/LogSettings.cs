namespace ActorPubSub.Topics.Log;

/// <summary>How a topic holds its log in memory (<c>actorpubsub.topic.log</c>).</summary>
/// <param name="PageBytes">Chunk size: what a subscription behind the window reads back from the journal in one go.</param>
/// <param name="WindowBytes">The most a topic keeps in memory (window and read-back pages) while the node's budget allows.</param>
/// <param name="ReadPages">Pages one read may take: each query to the journal has its cost, a larger read pays it less often.</param>
public sealed record LogSettings(long PageBytes, long WindowBytes, int ReadPages = 4);
