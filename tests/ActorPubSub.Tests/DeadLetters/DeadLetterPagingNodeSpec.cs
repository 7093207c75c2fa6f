using System.Collections.Concurrent;
using ActorPubSub.Client;
using ActorPubSub.Messages;
using ActorPubSub.Tests.Support;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.DeadLetters;

/// <summary>
/// Many large dead letters on a real node (topic, subscriber and dead-letter store over SQLite): every page lists
/// them with their messages read back from the journal, and a redrive of all puts every message back into the
/// subscription once.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DeadLetterPagingNodeSpec : NodeSpec
{
    private const string Topic = "paged";
    private const int Count = 2000;
    private const int MessageChars = 4096;

    [Fact]
    public async Task Two_thousand_letters_of_4_KiB_should_page_and_redrive_every_message_once()
    {
        // arrange: every message is refused until the handler is fixed
        var fixedHandler = false;
        var processed = new ConcurrentDictionary<long, int>();
        await using var sub = await Node.Client.SubscribeAsync<string>(Topic, "s", (d, _) =>
        {
            if (!Volatile.Read(ref fixedHandler)) throw new UnprocessableMessageException("not yet");
            Assert.Equal(Body(d.Sequence), d.Message);
            processed.AddOrUpdate(d.Sequence, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        });
        for (var i = 1; i <= Count; i++) await Node.Client.PublishAsync(Topic, Body(i));
        await Eventually.HoldsAsync(() => Node.Client.ListDeadLettersAsync(Topic, "s", limit: 1), p => p.Total == Count,
            "every message reached the dead-letter store");

        // act: list every page
        var listed = new List<long>();
        long after = 0;
        while (true)
        {
            var page = await Node.Client.ListDeadLettersAsync(Topic, "s", after, limit: 1000);
            foreach (var letter in page.Letters)
            {
                Assert.Equal(Body(letter.Message.Sequence), System.Text.Encoding.UTF8.GetString(letter.Message.Payload.Bytes).Trim('"'));
                listed.Add(letter.Message.Sequence);
            }
            if (page.NextAfter is not { } next) break;
            after = next;
        }

        // and redrive them all
        Volatile.Write(ref fixedHandler, true);
        var redriven = await Node.Client.RedriveDeadLettersAsync(Topic, "s");

        // assert
        Assert.Equal(Enumerable.Range(1, Count).Select(i => (long)i), listed);
        Assert.Equal(Count, redriven.Redriven);
        await Eventually.HoldsAsync(() => processed.Count == Count, "every redriven message was processed");
        await Eventually.HoldsAsync(() => Node.Client.GetTopicInfoAsync(Topic),
            i => i.Subscriptions.Single().Pending == 0, "the redriven messages were acknowledged");
        Assert.All(processed, p => Assert.Equal(1, p.Value));
        Assert.Equal(0, (await Node.Client.ListDeadLettersAsync(Topic, "s")).Total);
    }

    private static string Body(long sequence) => $"{sequence}:" + new string((char)('a' + sequence % 26), MessageChars);
}
