using ActorPubSub.Messages;

namespace ActorPubSub.Topics.Log;

/// <summary>
/// The newest messages of a topic's log, in memory, consecutive by sequence in a ring buffer: what consumers that
/// keep up are served from. Appends go to the end, eviction takes the oldest; lookups by sequence are O(1).
/// </summary>
internal sealed class HotWindow
{
    /// <summary>Heap bytes of a message beyond its <see cref="TopicMessage.Size"/> (objects, arrays, references).</summary>
    public const int MessageOverhead = 160;

    private TopicMessage[] _ring = new TopicMessage[16];
    private int[] _costs = new int[16];   // each message's cost, so eviction does not size it again
    private int _head;   // index of the oldest message

    /// <summary>Sequence of the oldest message held; <see cref="LastSequence"/> + 1 when empty.</summary>
    public long FirstSequence { get; private set; } = 1;
    public long LastSequence => FirstSequence + Count - 1;
    public int Count { get; private set; }

    /// <summary>Heap bytes held, estimated: sizes plus <see cref="MessageOverhead"/> each.</summary>
    public long Bytes { get; private set; }

    public static long Cost(TopicMessage m) => m.Size + MessageOverhead;

    /// <summary>Appends <paramref name="message"/>; a message that does not follow the last one starts the window afresh.</summary>
    public void Append(TopicMessage message) => Append(message, message.Size);

    /// <summary>Appends <paramref name="message"/> of <paramref name="size"/> bytes (<see cref="TopicMessage.Size"/>, already known).</summary>
    public void Append(TopicMessage message, int size)
    {
        if (Count > 0 && message.Sequence != LastSequence + 1) Clear();
        if (Count == 0) FirstSequence = message.Sequence;
        if (Count == _ring.Length) Resize(_ring.Length * 2);
        var slot = (_head + Count) & (_ring.Length - 1);
        _ring[slot] = message;
        _costs[slot] = size + MessageOverhead;
        Count++;
        Bytes += size + MessageOverhead;
    }

    public bool Contains(long sequence) => sequence >= FirstSequence && sequence <= LastSequence;

    public bool TryGet(long sequence, out TopicMessage message)
    {
        if (!Contains(sequence))
        {
            message = null!;
            return false;
        }
        message = _ring[(_head + (int)(sequence - FirstSequence)) & (_ring.Length - 1)];
        return true;
    }

    /// <summary>Removes the oldest message; returns its cost.</summary>
    public long RemoveOldest()
    {
        if (Count == 0) return 0;
        long cost = _costs[_head];
        Bytes -= cost;
        _ring[_head] = null!;
        _head = (_head + 1) & (_ring.Length - 1);
        Count--;
        FirstSequence++;
        // Give memory back after the window shrank, so an idle topic stays small.
        if (_ring.Length > 1024 && Count < _ring.Length / 8) Resize(Math.Max(16, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Count * 2)));
        return cost;
    }

    /// <summary>Removes the messages below <paramref name="sequence"/>; returns their cost.</summary>
    public long RemoveBelow(long sequence)
    {
        long freed = 0;
        while (Count > 0 && FirstSequence < sequence) freed += RemoveOldest();
        if (Count == 0 && FirstSequence < sequence) FirstSequence = sequence;
        return freed;
    }

    /// <summary>Empties the window; the next append starts it again. Returns the cost freed.</summary>
    public long Clear()
    {
        var freed = Bytes;
        var next = LastSequence + 1;
        _ring = new TopicMessage[16];
        _costs = new int[16];
        _head = 0;
        Count = 0;
        Bytes = 0;
        FirstSequence = next;
        return freed;
    }

    private void Resize(int capacity)
    {
        var next = new TopicMessage[capacity];
        var costs = new int[capacity];
        for (var i = 0; i < Count; i++)
        {
            var from = (_head + i) & (_ring.Length - 1);
            next[i] = _ring[from];
            costs[i] = _costs[from];
        }
        _ring = next;
        _costs = costs;
        _head = 0;
    }
}
