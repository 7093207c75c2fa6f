using ActorPubSub.Tests.Support;

namespace ActorPubSub.Tests.Client;

/// <summary>
/// Subscription options (stored with the subscription, fixed at creation) and consumer options (one consumer's own) are
/// apart: <c>CreateSubscriptionAsync</c> refuses a consumer setting instead of ignoring it, and the <c>SubscribeAsync</c>
/// overload without <see cref="ConsumerOptions"/> still applies the obsolete consumer settings of
/// <see cref="SubscriptionOptions"/> (the migration path).
/// </summary>
[Trait("Category", "Integration")]
public sealed class ConsumerOptionsSpec : NodeSpec
{
#pragma warning disable CS0618 // the obsolete consumer settings are what these tests are about
    public static TheoryData<string, SubscriptionOptions> ConsumerSettings => new()
    {
        { "MaxInFlight", new SubscriptionOptions { MaxInFlight = 4 } },
        { "HandlerTimeout", new SubscriptionOptions { HandlerTimeout = TimeSpan.FromSeconds(5) } },
        { "AcceptedPayloadTypes", new SubscriptionOptions { AcceptedPayloadTypes = [typeof(string)] } },
    };

    [Theory]
    [MemberData(nameof(ConsumerSettings))]
    public async Task CreateSubscriptionAsync_should_refuse_a_consumer_setting_and_create_nothing(string setting, SubscriptionOptions options)
    {
        // act
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Node.Client.CreateSubscriptionAsync("split", "s", options));

        // assert
        Assert.Equal("options", error.ParamName);
        Assert.Contains($"{setting} is a consumer setting", error.Message);
        Assert.Contains("ConsumerOptions", error.Message);
        var info = await Node.Client.GetTopicInfoAsync("split");
        Assert.DoesNotContain(info.Subscriptions, s => s.Name == "s");
    }

    [Fact]
    public async Task CreateSubscriptionAsync_should_name_every_consumer_setting_given()
    {
        var options = new SubscriptionOptions { MaxInFlight = 4, HandlerTimeout = TimeSpan.FromSeconds(5) };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Node.Client.CreateSubscriptionAsync("split", "s", options));

        Assert.Contains("MaxInFlight, HandlerTimeout are consumer settings", error.Message);
    }

    [Fact]
    public async Task SubscribeAsync_without_consumer_options_should_still_apply_the_obsolete_consumer_settings()
    {
        // arrange: handlers that overlap if they may (each waits a little); MaxInFlight 1 given the old way
        const int count = 6;
        var running = 0;
        var maxRunning = 0;
        var handled = 0;
        await using var sub = await Node.Client.SubscribeAsync<string>("migrate", "s", async (_, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref maxRunning, now);
            await Task.Delay(50, ct);
            Interlocked.Decrement(ref running);
            Interlocked.Increment(ref handled);
        }, new SubscriptionOptions { MaxInFlight = 1, Start = StartPosition.Earliest });

        // act
        await Task.WhenAll(Enumerable.Range(1, count).Select(i => Node.Client.PublishAsync("migrate", $"m{i}")));

        // assert: created (not refused) and one handler at a time
        await Eventually.HoldsAsync(() => Volatile.Read(ref handled) == count, $"all {count} messages are handled");
        Assert.Equal(1, Volatile.Read(ref maxRunning));
        Assert.Contains((await Node.Client.GetTopicInfoAsync("migrate")).Subscriptions, s => s.Name == "s");
    }
#pragma warning restore CS0618

    [Fact]
    public async Task SubscribeAsync_should_refuse_consumer_settings_in_both_places_only_through_its_subscription_part()
    {
        // the overload with ConsumerOptions takes the subscription part as it is: a consumer setting there is refused
#pragma warning disable CS0618
        var mixed = new SubscriptionOptions { MaxInFlight = 2 };
#pragma warning restore CS0618
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            Node.Client.SubscribeAsync<string>("split", "both", (_, _) => Task.CompletedTask, mixed, new ConsumerOptions { MaxInFlight = 2 }));

        Assert.Contains("MaxInFlight is a consumer setting", error.Message);
    }

    [Fact]
    public async Task SubscribeAsync_should_apply_consumer_options_to_its_consumer()
    {
        // arrange
        const int count = 6;
        var running = 0;
        var maxRunning = 0;
        var handled = 0;
        await using var sub = await Node.Client.SubscribeAsync<string>("consumer", "s", async (_, ct) =>
        {
            InterlockedMax(ref maxRunning, Interlocked.Increment(ref running));
            await Task.Delay(50, ct);
            Interlocked.Decrement(ref running);
            Interlocked.Increment(ref handled);
        }, new SubscriptionOptions(), new ConsumerOptions { MaxInFlight = 1 });

        // act
        await Task.WhenAll(Enumerable.Range(1, count).Select(i => Node.Client.PublishAsync("consumer", $"m{i}")));

        // assert
        await Eventually.HoldsAsync(() => Volatile.Read(ref handled) == count, $"all {count} messages are handled");
        Assert.Equal(1, Volatile.Read(ref maxRunning));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var current = Volatile.Read(ref target); value > current; current = Volatile.Read(ref target))
            if (Interlocked.CompareExchange(ref target, value, current) == current) return;
    }
}
