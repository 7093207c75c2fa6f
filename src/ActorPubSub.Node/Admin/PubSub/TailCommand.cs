using System.Globalization;
using System.Threading.Channels;
using Akka.Actor;
using ActorPubSub.Client;
using ActorPubSub.Consumers;
using ActorPubSub.Topics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorPubSub.Node.Admin.PubSub;

/// <summary>
/// <c>pubsub tail &lt;topic&gt; [-s subscription [--ack]]</c>: streams a topic's new messages until the caller hangs up.
/// <list type="bullet">
/// <item>No <c>-s</c>: a temporary subscription from Latest (<see cref="TailSubscription"/>), deleted when the tail ends.</item>
/// <item><c>-s name</c>: what that subscription receives (its filter), through a temporary subscription with the same
/// filter; the real subscription and its consumers are not touched.</item>
/// <item><c>-s name --ack</c>: attaches to the real subscription as one more consumer and acknowledges what it shows,
/// so those messages do NOT reach the subscription's other consumers (for draining a subscription whose consumers are
/// gone). The backlog comes first.</item>
/// </list>
/// The stream ends when the caller disconnects (Ctrl-C), the host stops or the subscription is deleted; then the
/// consumer stops (its unacknowledged deliveries go back to the subscription) and a temporary subscription is deleted.
/// </summary>
internal static class TailCommand
{
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A tail's deliveries wait for the client to read them; a long deadline keeps a slow reader from failing attempts.</summary>
    private static readonly TimeSpan TemporaryAckDeadline = TimeSpan.FromMinutes(5);

    public static AdminCommand Create() => new("tail", "streams new messages of a topic until Ctrl-C",
    [
        CommandArgument.Positional("topic", "the topic"),
        CommandArgument.Option("subscription", 's', "show what this subscription receives (its filter), without taking its messages"),
        CommandArgument.Flag("ack", null, "with -s: consume the subscription itself and acknowledge what is shown (its other consumers do not get those messages)"),
    ]) { Stream = RunAsync };

    private static async IAsyncEnumerable<CommandEvent> RunAsync(AdminContext context, CommandArgs args)
    {
        var topic = PubSubErrors.Topic(args);
        var named = args.String("subscription") is null ? null : PubSubErrors.Subscription(args);
        var consume = args.Flag("ack");
        if (consume && named is null) throw args.Invalid("ack", "needs -s <subscription>: the subscription to consume");

        var pubsub = PubSubClient.Get(context.System);
        var info = await PubSubErrors.ExistingTopicAsync(context, topic);
        var source = named is null ? null : PubSubErrors.ExistingSubscription(info, named);
        await DeleteStaleAsync(context, pubsub, info);

        var temporary = consume ? null : TailSubscription.NewName(DateTime.UtcNow);
        var subscription = temporary ?? named!;
        if (temporary is not null)
        {
            await PubSubErrors.CallAsync(() => pubsub.CreateSubscriptionAsync(topic, temporary, new SubscriptionOptions
            {
                Start = StartPosition.Latest,
                Filter = source?.Filter,
                AckDeadline = TemporaryAckDeadline,
            }, context.Cancellation));
        }

        var channel = Channel.CreateUnbounded<TailConsumer.Item>(new UnboundedChannelOptions { SingleReader = true });
        var consumer = context.System.ActorOf(
            TailConsumer.Props(pubsub.TopicRegion, topic, subscription, channel.Writer, ConsumerSettings.Create(context.System).RenewInterval),
            $"{TailSubscription.Prefix}consumer-{Guid.NewGuid():N}");
        try
        {
            yield return Started(topic, subscription, named, consume);
            Task<bool>? waiting = null;
            string? ended = null;
            while (ended is null)
            {
                waiting ??= channel.Reader.WaitToReadAsync(context.Cancellation).AsTask();
                if (await Task.WhenAny(waiting, Task.Delay(HeartbeatInterval, context.Cancellation)) != waiting)
                {
                    context.Cancellation.ThrowIfCancellationRequested();
                    yield return CommandEvent.Heartbeat;   // also how a vanished client is noticed: the write fails
                    continue;
                }
                bool more;
                try
                {
                    more = await waiting;
                }
                catch (TailConsumer.Ended e)
                {
                    (more, ended) = (false, e.Message);
                }
                waiting = null;
                if (!more)
                {
                    ended ??= "the tail's consumer stopped (the node is stopping)";
                    break;
                }
                while (channel.Reader.TryRead(out var item))
                {
                    yield return Message(context.System, item);
                    consumer.Tell(new TailConsumer.Written(item.Message.Sequence, item.Attempt));
                }
            }
            yield return new CommandEvent("end", null, ended);
        }
        finally
        {
            await CleanUpAsync(context, pubsub, consumer, topic, temporary);
        }
    }

    private static CommandEvent Started(string topic, string subscription, string? named, bool consume)
    {
        var what = (named, consume) switch
        {
            (null, _) => $"new messages of {topic} (temporary subscription {subscription}, deleted when the tail ends)",
            (_, false) => $"new messages of {topic} that subscription {named} receives (temporary subscription {subscription} with its filter)",
            _ => $"subscription {topic}/{subscription}, consuming and acknowledging (its other consumers do not get these messages)",
        };
        return new CommandEvent("started",
            new JsonObject { ["topic"] = topic, ["subscription"] = subscription, ["temporary"] = !consume, ["acknowledging"] = consume },
            $"Tailing {what}; Ctrl-C to stop");
    }

    private static CommandEvent Message(ActorSystem system, TailConsumer.Item item)
    {
        var message = item.Message;
        var data = PayloadText.Message(system, message);
        data["attempt"] = item.Attempt;
        var attributes = PayloadText.Attributes(message);
        var text = $"#{message.Sequence} {message.Timestamp.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)}"
                   + (item.Attempt > 1 ? $" (attempt {item.Attempt})" : "")
                   + (attributes.Length > 0 ? $" {attributes}" : "")
                   + $" {PayloadText.Preview(PayloadText.Show(system, message.Payload), 1000)}";
        return new CommandEvent("message", data, text);
    }

    private static async Task DeleteStaleAsync(AdminContext context, PubSubClient pubsub, TopicInfo info)
    {
        foreach (var stale in info.Subscriptions.Where(s => TailSubscription.IsStale(s, DateTime.UtcNow)))
        {
            await PubSubErrors.CallAsync(() => pubsub.DeleteSubscriptionAsync(info.Topic, stale.Name, context.Cancellation));
            Logger(context).LogInformation("Deleted the stale tail subscription {Topic}/{Subscription} (no consumer, created {Created:O})",
                info.Topic, stale.Name, TailSubscription.CreatedAt(stale.Name));
        }
    }

    /// <summary>Runs when the stream ends for any reason; bounded on its own, since the request's token is usually cancelled by then.</summary>
    private static async Task CleanUpAsync(AdminContext context, PubSubClient pubsub, IActorRef consumer, string topic, string? temporary)
    {
        try
        {
            await consumer.GracefulStop(CleanupTimeout);
            if (temporary is not null)
            {
                using var timeout = new CancellationTokenSource(CleanupTimeout);
                await pubsub.DeleteSubscriptionAsync(topic, temporary, timeout.Token);
            }
        }
        catch (Exception e) when (e is TaskCanceledException or OperationCanceledException or TimeoutException or AskTimeoutException or PubSubRejectedException)
        {
            Logger(context).LogWarning("The tail of {Topic} could not delete its temporary subscription {Subscription} ({Error}); the next tail of the topic deletes it once stale",
                topic, temporary, e.Message);
        }
    }

    private static ILogger Logger(AdminContext context) =>
        context.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ActorPubSub.Server.Admin");
}
