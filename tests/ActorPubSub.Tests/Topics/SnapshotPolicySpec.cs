using Akka.Persistence;
using ActorPubSub.Topics;
using static ActorPubSub.Tests.Topics.TopicParts;

namespace ActorPubSub.Tests.Topics;

/// <summary>When a topic snapshots: once the journal since the last snapshot outweighs one, one at a time.</summary>
[Trait("Category", "Unit")]
public sealed class SnapshotPolicySpec
{
    [Fact]
    public void TryStart_should_wait_until_the_journal_outweighs_the_snapshot()
    {
        // arrange
        var policy = new SnapshotPolicy(minSnapshotBytes: 1000);
        policy.Written(new MessagesAppended([Message(1, size: 500)], []));
        Assert.False(policy.TryStart(snapshotBytes: 500));

        // act
        policy.Written(new MessagesAppended([Message(2, size: 500)], []));

        // assert: 2 × (64 + 500 + 32) bytes of journal outweigh the 1000-byte minimum
        Assert.True(policy.TryStart(snapshotBytes: 500));
        Assert.True(policy.Saving);
        Assert.Equal(0, policy.BytesSinceSnapshot);
    }

    [Fact]
    public void TryStart_should_take_one_snapshot_at_a_time()
    {
        // arrange
        var policy = new SnapshotPolicy(minSnapshotBytes: 0);
        policy.Written(new SubscriptionRemoved("billing"));
        Assert.True(policy.TryStart(0));
        policy.Written(new SubscriptionRemoved("audit"));

        // act / assert
        Assert.False(policy.TryStart(0));
        var (upTo, older) = policy.Saved(new SnapshotMetadata("topic-orders", 42, DateTime.UtcNow));
        Assert.Equal(42, upTo);
        Assert.Equal(41, older.MaxSequenceNr);
        Assert.True(policy.TryStart(0));
        policy.Failed();
        Assert.False(policy.Saving);
    }

    [Fact]
    public void TryStart_quiet_should_snapshot_anything_written_that_outweighs_the_snapshot()
    {
        // arrange: less than min-snapshot-bytes written
        var policy = new SnapshotPolicy(minSnapshotBytes: 1_000_000);
        Assert.False(policy.TryStart(snapshotBytes: 10, quiet: true));   // nothing written: nothing to let go
        policy.Written(new SubscriptionRemoved("billing"));

        // act / assert: not due while busy, due once the topic is quiet, but not for a snapshot larger than the journal
        Assert.False(policy.TryStart(snapshotBytes: 10));
        Assert.False(policy.TryStart(snapshotBytes: 10_000, quiet: true));
        Assert.True(policy.TryStart(snapshotBytes: 10, quiet: true));
    }

    [Fact]
    public void Replayed_should_count_only_what_a_recovery_reads_back()
    {
        // arrange
        var policy = new SnapshotPolicy(minSnapshotBytes: 0);

        // act
        policy.Replayed(new SubscriptionRemoved("billing"));
        policy.Replayed(new AcksRecorded([new SubscriptionAcks("billing", [1L, 2])]));

        // assert
        Assert.Equal(SnapshotPolicy.EventOverhead + 2 * SnapshotPolicy.AckOverhead, policy.BytesSinceSnapshot);
    }
}
