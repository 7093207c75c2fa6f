using ActorPubSub.Consumers;
using ActorPubSub.Messages;

namespace ActorPubSub.Tests.Consumers;

public sealed class RunningHandlersSpec
{
    private static TopicMessage Message(long sequence) =>
        new(sequence, DateTime.UtcNow, new Payload(0, "", []), null, null, null);

    [Fact]
    public void Handlers_beyond_the_cap_should_wait_until_one_ends()
    {
        var running = new RunningHandlers(cap: 2);
        Assert.True(running.TryStart(1, 1, out var first));
        Assert.True(running.TryStart(2, 1, out _));

        Assert.False(running.TryStart(3, 1, out _));
        running.Wait(Message(3), 1);
        Assert.Null(running.NextStartable());

        running.End(first);
        var next = running.NextStartable();
        Assert.Equal(3, next?.Message.Sequence);
        Assert.Equal(2, running.Count);
    }

    [Fact]
    public void A_redelivery_of_a_message_whose_handler_runs_should_wait_for_it_while_others_start()
    {
        var running = new RunningHandlers(cap: 10);
        Assert.True(running.TryStart(7, 1, out var first));

        Assert.False(running.TryStart(7, 2, out _));
        running.Wait(Message(7), 2);
        running.Wait(Message(8), 1);

        // the other message starts, the redelivery does not
        Assert.Equal(8, running.NextStartable()?.Message.Sequence);
        Assert.Null(running.NextStartable());

        running.End(first);
        var redelivery = running.NextStartable();
        Assert.Equal((7L, 2), (redelivery?.Message.Sequence, redelivery?.Attempt));
    }

    [Fact]
    public void Transient_messages_should_count_against_the_cap_but_never_collide()
    {
        var running = new RunningHandlers(cap: 2);
        Assert.True(running.TryStart(0, 0, out _));
        Assert.True(running.TryStart(0, 0, out _));
        Assert.False(running.TryStart(0, 0, out _));
    }

    [Fact]
    public void Stopping_should_cancel_every_running_handler()
    {
        var running = new RunningHandlers(cap: 2);
        running.TryStart(1, 1, out var a);
        running.TryStart(0, 0, out var b);

        running.CancelAll();

        Assert.True(a.Cancellation.IsCancellationRequested && b.Cancellation.IsCancellationRequested);
    }
}
