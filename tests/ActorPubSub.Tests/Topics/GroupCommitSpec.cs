using ActorPubSub.Messages;
using ActorPubSub.Topics;
using static ActorPubSub.Tests.Topics.TopicParts;

namespace ActorPubSub.Tests.Topics;

/// <summary>The group commit: buffers become one ordered batch of events, replies follow the write.</summary>
[Trait("Category", "Unit")]
public sealed class GroupCommitSpec
{
    [Fact]
    public void Begin_should_write_control_events_first_then_messages_then_acks()
    {
        // arrange
        var commit = new GroupCommit(maxBatchMessages: 100, maxBatchBytes: 1 << 20);
        var added = new SubscriptionAdded("billing", 0, Config());
        commit.AddControl(added);
        commit.AddMessage(Message(1), 10, null, 0);
        var acks = new AcksRecorded([new SubscriptionAcks("billing", [1L])]);

        // act
        var events = commit.Begin(acks);

        // assert
        Assert.True(commit.IsWriting);
        Assert.Equal(3, events.Count);
        Assert.Same(added, events[0]);
        Assert.Equal([1L], Assert.IsType<MessagesAppended>(events[1]).Messages.Select(m => m.Sequence));
        Assert.Same(acks, events[2]);
        Assert.Equal(1, commit.WritingMessages);
        Assert.Empty(commit.Messages);
        Assert.Equal(0, commit.Bytes);
    }

    [Fact]
    public void Begin_should_split_messages_within_the_batch_limits_and_keep_producer_runs()
    {
        // arrange: at most 2 messages per event; producer p numbers 1..3 then a gap to 5
        var commit = new GroupCommit(maxBatchMessages: 2, maxBatchBytes: 1 << 20);
        commit.AddMessage(Message(1), 10, "p", 1);
        commit.AddMessage(Message(2), 10, "p", 2);
        commit.AddMessage(Message(3), 10, "p", 3);
        commit.AddMessage(Message(4), 10, null, 0);
        commit.AddMessage(Message(5), 10, "p", 5);

        // act
        var events = commit.Begin(null).Cast<MessagesAppended>().ToList();

        // assert
        Assert.Equal([[1L, 2], [3L, 4], [5L]], events.Select(e => e.Messages.Select(m => m.Sequence).ToArray()));
        Assert.Equal(new ProducerRun("p", 1, 1, 2), Assert.Single(events[0].Producers));
        Assert.Equal(new ProducerRun("p", 3, 3, 1), Assert.Single(events[1].Producers));
        Assert.Equal(new ProducerRun("p", 5, 5, 1), Assert.Single(events[2].Producers));
    }

    [Fact]
    public void Replies_should_wait_for_their_write_and_travel_as_one_receipt_batch_per_sender()
    {
        // arrange
        var commit = new GroupCommit(100, 1 << 20);
        var a = new StandInRef("a");
        var b = new StandInRef("b");
        commit.AddMessage(Message(1), 10, null, 0);
        commit.AddReply(a, new PublishReceipt(Topic, 1, null, 0, false));
        commit.AddReply(a, new PublishReceipt(Topic, 2, null, 0, false));
        commit.AddReply(b, "created");
        commit.Begin(null);
        commit.AddReply(b, "after the next write");

        // act
        var replies = GroupCommit.Coalesce(Topic, commit.Complete()).ToList();

        // assert
        Assert.False(commit.IsWriting);
        Assert.Equal(2, replies.Count);
        Assert.Equal(new GroupCommit.Reply(b, "created"), replies[0]);
        Assert.Same(a, replies[1].To);
        Assert.Equal([1L, 2], Assert.IsType<PublishReceipts>(replies[1].Message).Receipts.Select(r => r.Sequence));
        Assert.Equal(1, commit.PendingReplies);
    }

    [Fact]
    public void Coalesce_should_mark_a_senders_receipts_compact_only_when_the_sender_asked_for_it()
    {
        // arrange: a reads the compact form (one of its publishes came in a batch that said so), b never said it
        var commit = new GroupCommit(100, 1 << 20);
        var a = new StandInRef("a");
        var b = new StandInRef("b");
        commit.AddReply(a, new PublishReceipt(Topic, 1, "pa", 1, false));
        commit.AddReply(a, new PublishReceipt(Topic, 2, "pa", 2, false), compactReceipts: true);
        commit.AddReply(b, new PublishReceipt(Topic, 3, "pb", 1, false));
        commit.AddReply(b, new PublishReceipt(Topic, 4, "pb", 2, false));
        commit.Begin(null);

        // act
        var replies = GroupCommit.Coalesce(Topic, commit.Complete()).ToDictionary(r => r.To, r => Assert.IsType<PublishReceipts>(r.Message));

        // assert
        Assert.True(replies[a].Compact);
        Assert.Equal([1L, 2], replies[a].Receipts.Select(r => r.Sequence));
        Assert.False(replies[b].Compact);
        Assert.Equal([3L, 4], replies[b].Receipts.Select(r => r.Sequence));
    }

    [Fact]
    public void AddDeliveryEvent_should_merge_with_the_previous_event_of_its_kind()
    {
        // arrange
        var commit = new GroupCommit(100, 1 << 20);
        var failure = new DeliveryFailure("billing", 1, 1, At, At, At, "boom");
        var transfer = new DeadLetterTransfer(1, 2, 5, At, At, "boom", DeadLetterReason.MaxDeliveryAttempts);

        // act
        commit.AddDeliveryEvent(new DeliveriesFailed([failure]));
        commit.AddDeliveryEvent(new DeliveriesFailed([failure with { Sequence = 3 }]));
        commit.AddDeliveryEvent(new MessagesDeadLettered("billing", [transfer]));
        commit.AddDeliveryEvent(new MessagesDeadLettered("billing", [transfer with { Id = 2, Sequence = 4 }]));
        commit.AddDeliveryEvent(new MessagesDeadLettered("audit", [transfer]));

        // assert
        Assert.True(commit.HasWork(unflushedAcks: 0));
        var events = commit.Begin(null);
        Assert.Equal(3, events.Count);
        Assert.Equal([1L, 3], Assert.IsType<DeliveriesFailed>(events[0]).Failures.Select(f => f.Sequence));
        Assert.Equal([2L, 4], Assert.IsType<MessagesDeadLettered>(events[1]).Transfers.Select(t => t.Sequence));
        Assert.Equal("audit", Assert.IsType<MessagesDeadLettered>(events[2]).Subscription);
    }

    [Fact]
    public void Refuse_should_turn_a_receipt_into_a_storage_failure_and_keep_other_replies()
    {
        // arrange
        var to = new StandInRef("publisher");
        var receipt = new GroupCommit.Reply(to, new PublishReceipt(Topic, 7, "p", 3, false));
        var other = new GroupCommit.Reply(to, "created");

        // act
        var refused = GroupCommit.Refuse(Topic, receipt, new InvalidOperationException("disk full"));
        var kept = GroupCommit.Refuse(Topic, other, new InvalidOperationException("disk full"));

        // assert
        var rejection = Assert.IsType<PublishRejected>(refused.Message);
        Assert.Equal(RejectionCode.StorageFailure, rejection.Code);
        Assert.Equal(("p", 3L), (rejection.ProducerId, rejection.ProducerSeq));
        Assert.Contains("disk full", rejection.Reason);
        Assert.Equal(other, kept);
    }

    [Fact]
    public void HasWork_should_count_acks_held_by_the_subscriptions()
    {
        var commit = new GroupCommit(100, 1 << 20);
        Assert.False(commit.HasWork(0));
        Assert.True(commit.HasWork(1));
    }
}
