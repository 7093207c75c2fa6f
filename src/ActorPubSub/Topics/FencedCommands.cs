using Akka.Actor;
using ActorPubSub.Fencing;

namespace ActorPubSub.Topics;

/// <summary>
/// What a fenced topic (live in another cluster on the same database, see <see cref="TopicFencing"/>) answers: every
/// publish a <see cref="PublishRejected"/> and every other command that expects an answer a <see cref="CommandRejected"/>, both
/// <see cref="RejectionCode.Fenced"/> with the reason (the other holder and what to do). Nothing is stored or delivered.
/// </summary>
internal static class FencedCommands
{
    public static IEnumerable<object> Replies(string topic, object command, string reason, RejectionCode code = RejectionCode.Fenced) => command switch
    {
        Publish p => [Rejected(topic, p, reason, code)],
        PublishBatch b when !b.Publishes.IsDefaultOrEmpty => b.Publishes.Select(p => (object)Rejected(topic, p, reason, code)),
        // a consumer's acks and the like expect no answer; its Consume does (a passing rejection: it tries again on renewal)
        Ack or Nack or TransientDone or TransientDemand or StopConsuming => [],
        ITopicCommand => [new CommandRejected(topic, SubscriptionOf(command), command.GetType().Name, code, reason)],
        _ => [],
    };

    /// <summary>Whether a command is answered at all: a sender that is a real actor.</summary>
    public static bool Answerable(IActorRef sender) => !sender.IsNobody() && !sender.Equals(ActorRefs.NoSender);

    private static PublishRejected Rejected(string topic, Publish p, string reason, RejectionCode code) =>
        new(topic, p.ProducerId, p.ProducerSeq, code, reason);

    private static string? SubscriptionOf(object command) =>
        command.GetType().GetProperty("Subscription")?.GetValue(command) as string;
}
