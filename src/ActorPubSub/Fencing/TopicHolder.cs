namespace ActorPubSub.Fencing;

/// <summary>
/// Who hosts a topic, as the database says: the member (address and uid) and how long its member lease still lasts by the
/// database's clock (zero or less: lapsed or released; the member is gone).
/// </summary>
internal sealed record TopicHolder(string Member, TimeSpan LeaseLeft)
{
    public bool LeaseFresh => LeaseLeft > TimeSpan.Zero;
}
