using Akka.Event;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using static ActorPubSub.Tests.Topics.TopicParts;

namespace ActorPubSub.Tests.Topics;

/// <summary>The dead-letter outbox: written transfers go to the store in chunks, confirmations and redrives come back.</summary>
[Trait("Category", "Unit")]
public sealed class DeadLetterOutboxSpec
{
    private readonly StandInRef _store = new("store");
    private readonly StandInRef _topic = new("topic");

    private DeadLetterOutbox Outbox() => new(Topic, _store, _topic, NoLogger.Instance);

    private static DeadLetterTransfer Transfer(long id, long sequence) =>
        new(id, sequence, 5, At, At, "boom", DeadLetterReason.MaxDeliveryAttempts);

    [Fact]
    public void Send_should_send_only_written_transfers_in_chunks()
    {
        // arrange: 150 transfers, the first 120 written
        var table = Table(LogOf(150), subscriptions: ["billing"]);
        DeadLetterOutbox.Apply(table, new MessagesDeadLettered("billing", [.. Enumerable.Range(1, 150).Select(i => Transfer(i, i))]), persisted: false);
        var sub = table.Get("billing");
        sub.MarkTransfersPersisted(120);

        // act
        Outbox().Send(sub);

        // assert
        var sent = _store.Received.Cast<StoreDeadLetters>().ToList();
        Assert.Equal([100, 20], sent.Select(s => s.Letters.Length));
        Assert.Equal(120, sent[^1].Letters[^1].Id);
        Assert.All(sent, s => Assert.Equal(sub.Config.Incarnation, s.Incarnation));
    }

    [Fact]
    public void Written_should_send_the_transfers_the_journal_now_holds()
    {
        // arrange
        var table = Table(LogOf(2), subscriptions: ["billing"]);
        var dead = new MessagesDeadLettered("billing", [Transfer(1, 2)]);
        DeadLetterOutbox.Apply(table, dead, persisted: false);

        // act
        Outbox().Written(table, dead);

        // assert
        var letter = Assert.Single(Assert.IsType<StoreDeadLetters>(Assert.Single(_store.Received)).Letters);
        Assert.Equal((1L, 2L), (letter.Id, letter.Message.Sequence));
    }

    [Fact]
    public void Stored_should_confirm_transfers_of_the_same_incarnation_only()
    {
        // arrange
        var table = Table(LogOf(2), subscriptions: ["billing"]);
        var sub = table.Get("billing");
        DeadLetterOutbox.Apply(table, new MessagesDeadLettered("billing", [Transfer(1, 1), Transfer(2, 2)]), persisted: true);

        // act
        var stale = DeadLetterOutbox.Stored(table, new DeadLettersStored(Topic, "billing", Guid.NewGuid(), 2));
        var confirmed = DeadLetterOutbox.Stored(table, new DeadLettersStored(Topic, "billing", sub.Config.Incarnation, 1));
        var again = DeadLetterOutbox.Stored(table, new DeadLettersStored(Topic, "billing", sub.Config.Incarnation, 1));

        // assert
        Assert.Null(stale);
        Assert.Equal(new DeadLettersConfirmed("billing", 1), confirmed);
        Assert.Null(again);
        Assert.Equal(1, sub.Watermark);
        Assert.Equal(2, Assert.Single(sub.Transfers).Sequence);
    }

    [Fact]
    public void AskCount_should_wake_only_the_stores_of_subscriptions_that_dead_lettered()
    {
        // arrange
        var table = Table(LogOf(1), subscriptions: ["billing", "audit"]);
        var billing = table.Get("billing");
        var audit = table.Get("audit");
        billing.RestoreTransferIds(3);

        // act
        Outbox().AskCount(billing);
        Outbox().AskCount(audit);

        // assert
        var ask = Assert.IsType<StoreDeadLetters>(Assert.Single(_store.Received));
        Assert.Equal("billing", ask.Subscription);
        Assert.Empty(ask.Letters);
    }

    [Fact]
    public void Redrive_should_put_messages_back_and_lower_the_reported_store_count()
    {
        // arrange
        var table = Table(LogOf(2), subscriptions: ["billing"]);
        var sub = table.Get("billing");
        sub.Ack(1);
        sub.StoredDeadLetters = 5;
        var redrive = new RedriveMessages(Topic, "billing", [Message(1)]);

        // act
        var recorded = DeadLetterOutbox.Redrive(sub, redrive);

        // assert
        Assert.Equal("billing", recorded.Subscription);
        Assert.Equal(4, sub.StoredDeadLetters);
        Assert.Equal([1L], sub.Redriven.Select(m => m.Sequence));
    }
}
