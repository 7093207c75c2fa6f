using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Topics;

/// <summary>
/// The retained part of a topic's log: messages by sequence number in a ring buffer. Appends go to the end,
/// trimming removes from the front, lookups by sequence are O(1). Not thread-safe: owned by one TopicActor.
/// </summary>
internal sealed class MessageLog
{
    private TopicMessage[] _ring = new TopicMessage[16];
    private int _head;   // index of the oldest retained message
    private long _bytes;

    /// <summary>Sequence of the oldest retained message; <see cref="LastSequence"/> + 1 when empty.</summary>
    public long FirstSequence { get; private set; } = 1;
    public long LastSequence => FirstSequence + Count - 1;
    public int Count { get; private set; }
    public long Bytes => _bytes;

    public TopicMessage? Oldest => Count == 0 ? null : _ring[_head];

    /// <summary>Appends <paramref name="message"/>, whose sequence must follow the last one.</summary>
    public void Append(TopicMessage message)
    {
        if (Count == 0) FirstSequence = message.Sequence;
        else if (message.Sequence != LastSequence + 1)
            throw new InvalidOperationException($"Log gap: appending {message.Sequence} after {LastSequence}.");
        if (Count == _ring.Length) Grow();
        _ring[(_head + Count) & (_ring.Length - 1)] = message;
        Count++;
        _bytes += message.Size;
    }

    /// <summary>Sets the next sequence of an empty log (a topic recovered with nothing retained).</summary>
    public void ResetEmpty(long lastSequence)
    {
        if (Count != 0) throw new InvalidOperationException("Log is not empty.");
        FirstSequence = lastSequence + 1;
    }

    public bool Contains(long sequence) => sequence >= FirstSequence && sequence <= LastSequence;

    public TopicMessage Get(long sequence)
    {
        if (!Contains(sequence))
            throw new ArgumentOutOfRangeException(nameof(sequence), $"{sequence} is outside {FirstSequence}..{LastSequence}.");
        return _ring[(_head + (int)(sequence - FirstSequence)) & (_ring.Length - 1)];
    }

    /// <summary>Removes the oldest message.</summary>
    public void RemoveOldest()
    {
        if (Count == 0) return;
        _bytes -= _ring[_head].Size;
        _ring[_head] = null!;
        _head = (_head + 1) & (_ring.Length - 1);
        Count--;
        FirstSequence++;
        // Give memory back after a large backlog drained, so an idle topic stays small.
        if (_ring.Length > 1024 && Count < _ring.Length / 8) Shrink();
    }

    public IEnumerable<TopicMessage> All()
    {
        for (var i = 0; i < Count; i++) yield return _ring[(_head + i) & (_ring.Length - 1)];
    }

    private void Grow() => Resize(_ring.Length * 2);

    private void Shrink() => Resize(Math.Max(16, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Count * 2)));

    private void Resize(int capacity)
    {
        var next = new TopicMessage[capacity];
        for (var i = 0; i < Count; i++) next[i] = _ring[(_head + i) & (_ring.Length - 1)];
        _ring = next;
        _head = 0;
    }
}
