using Akka.Actor;

namespace ActorPubSub.Journal;

/// <summary>To a <see cref="SyncNotices"/> listener: its writes up to <paramref name="UpToSequenceNr"/> are durable.</summary>
internal sealed record JournalSynced(long UpToSequenceNr) : INoSerializationVerificationNeeded;

/// <summary>
/// To a <see cref="SyncNotices"/> listener: the fsync of its write up to <paramref name="UpToSequenceNr"/> failed; the
/// write was committed, but it may not be on disk.
/// </summary>
internal sealed record JournalSyncFailed(long UpToSequenceNr, Exception Reason) : INoSerializationVerificationNeeded;
