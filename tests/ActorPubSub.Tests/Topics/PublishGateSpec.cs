using Akka.Event;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using static ActorPubSub.Tests.Topics.TopicParts;

namespace ActorPubSub.Tests.Topics;

/// <summary>The publish gate: validation, producer numbers and message-id dedup come to one verdict.</summary>
[Trait("Category", "Unit")]
public sealed class PublishGateSpec
{
    private static readonly Func<int, string?> Room = _ => null;
    private readonly PublishGate _gate = new(Topic, DefaultSettings(), NoLogger.Instance);

    private PublishGate.Verdict Check(Publish p, long lastPersisted, Func<int, string?>? roomFor = null) =>
        _gate.Check(p, lastPersisted, now: 0, At, roomFor ?? Room);

    [Fact]
    public void Check_should_accept_and_number_publishes_in_order()
    {
        // act
        var first = Assert.IsType<PublishGate.Accepted>(Check(Publish(size: 10), lastPersisted: 0));
        var second = Assert.IsType<PublishGate.Accepted>(Check(Publish(size: 20), lastPersisted: 0));

        // assert
        Assert.Equal((1L, 2L), (first.Message.Sequence, second.Message.Sequence));
        Assert.Equal(new PublishReceipt(Topic, 2, null, 0, Duplicate: false), second.Receipt);
        Assert.Equal(20, second.Size);
        Assert.Equal(3, _gate.NextSequence);
    }

    [Fact]
    public void Check_should_reject_a_publish_for_another_topic_or_over_the_size_limit()
    {
        // act
        var elsewhere = Assert.IsType<PublishGate.Rejected>(Check(Publish(topic: "payments"), 0));
        var tooLarge = Assert.IsType<PublishGate.Rejected>(Check(Publish(size: DefaultSettings().MaxMessageSize + 1), 0));
        var badNumber = Assert.IsType<PublishGate.Rejected>(Check(Publish(producerId: "p", producerSeq: 0), 0));

        // assert
        Assert.All([elsewhere, tooLarge, badNumber], r => Assert.Equal(RejectionCode.Invalid, r.Rejection.Code));
        Assert.Equal(1, _gate.NextSequence);
    }

    [Fact]
    public void Check_should_reject_when_the_topic_has_no_room()
    {
        // act
        var verdict = Check(Publish(), 0, roomFor: _ => "full");

        // assert
        var rejected = Assert.IsType<PublishGate.Rejected>(verdict);
        Assert.Equal((RejectionCode.TopicFull, "full"), (rejected.Rejection.Code, rejected.Rejection.Reason));
    }

    [Fact]
    public void Check_should_answer_a_producer_resend_with_the_original_once_written()
    {
        // arrange
        var original = Assert.IsType<PublishGate.Accepted>(Check(Publish(producerId: "p", producerSeq: 1), 0));

        // act: while its write runs the original's receipt is still to come; once written the resend is answered
        var pending = Check(Publish(producerId: "p", producerSeq: 1), lastPersisted: 0);
        var written = Check(Publish(producerId: "p", producerSeq: 1), lastPersisted: 1);
        var gap = Check(Publish(producerId: "p", producerSeq: 3), lastPersisted: 1);

        // assert
        Assert.Equal(new PublishGate.Ignored(Gap: false), pending);
        var duplicate = Assert.IsType<PublishGate.Duplicate>(written);
        Assert.Equal(new PublishReceipt(Topic, original.Message.Sequence, "p", 1, Duplicate: true), duplicate.Receipt);
        Assert.False(duplicate.AfterWrite);
        Assert.Equal(new PublishGate.Ignored(Gap: true), gap);
    }

    [Fact]
    public void Check_should_confirm_a_repeated_message_id_after_the_original_is_written()
    {
        // arrange
        Assert.IsType<PublishGate.Accepted>(Check(Publish(messageId: "m-1"), 0));

        // act
        var whileWriting = Assert.IsType<PublishGate.Duplicate>(Check(Publish(messageId: "m-1"), lastPersisted: 0));
        var afterWrite = Assert.IsType<PublishGate.Duplicate>(Check(Publish(messageId: "m-1"), lastPersisted: 1));

        // assert
        Assert.True(whileWriting.AfterWrite);
        Assert.False(afterWrite.AfterWrite);
        Assert.Equal(1, afterWrite.Receipt.Sequence);
        Assert.Equal(2, _gate.NextSequence);
    }

    [Fact]
    public void Appended_on_replay_should_restore_numbering_producers_and_message_ids()
    {
        // arrange: a replayed batch written a moment ago
        var message = new TopicMessage(5, DateTime.UtcNow, Body(), null, null, "m-5");
        var batch = new MessagesAppended([message], [new ProducerRun("p", 9, 5, 1)]);

        // act
        _gate.Appended(batch, replay: true, now: 0);

        // assert
        Assert.Equal(6, _gate.NextSequence);
        Assert.Equal(5, Assert.IsType<PublishGate.Duplicate>(Check(Publish(messageId: "m-5"), lastPersisted: 5)).Receipt.Sequence);
        Assert.Equal(5, Assert.IsType<PublishGate.Duplicate>(Check(Publish(producerId: "p", producerSeq: 9), lastPersisted: 5)).Receipt.Sequence);
    }
}
