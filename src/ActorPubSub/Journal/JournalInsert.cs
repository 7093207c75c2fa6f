namespace ActorPubSub.Journal;

/// <summary>
/// One journal row to insert: an event already serialized, in the column layout of Akka.Persistence.Sql's journal table
/// (so its reads, replays and deletes see the row as one of its own).
/// </summary>
/// <param name="Created">UTC ticks, as Akka.Persistence.Sql writes its <c>created</c> column.</param>
/// <param name="Manifest">The serializer's manifest for the payload ("" for a serializer without one).</param>
/// <param name="SerializerId">The serializer's identifier, so a replay finds the same serializer.</param>
internal sealed record JournalInsert(string PersistenceId, long SequenceNr, long Created, string Manifest, byte[] Message, int SerializerId);
