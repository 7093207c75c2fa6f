using ActorPubSub.Client.Idempotency;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Client.Idempotency;

/// <summary>The bounded memory of processed keys: capacity eviction in order of adding, and expiry after the TTL.</summary>
[Trait("Category", "Unit")]
public sealed class ProcessedMessageCacheSpec
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(10);

    [Fact]
    public void Cache_should_remember_added_keys_only()
    {
        // arrange
        var cache = new ProcessedMessageCache(10, Ttl, new ManualTimeProvider());

        // act
        cache.Add("a");

        // assert
        Assert.True(cache.Contains("a"));
        Assert.False(cache.Contains("b"));
        Assert.False(cache.Contains("A"));           // keys are ordinal
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Cache_should_forget_a_key_once_it_is_as_old_as_the_ttl()
    {
        // arrange
        var clock = new ManualTimeProvider();
        var cache = new ProcessedMessageCache(10, Ttl, clock);
        cache.Add("a");

        // act / assert
        clock.Advance(Ttl - TimeSpan.FromTicks(1));
        Assert.True(cache.Contains("a"));
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.False(cache.Contains("a"));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Cache_should_expire_each_key_on_its_own_time()
    {
        // arrange
        var clock = new ManualTimeProvider();
        var cache = new ProcessedMessageCache(10, Ttl, clock);
        cache.Add("early");
        clock.Advance(TimeSpan.FromMinutes(6));
        cache.Add("late");

        // act
        clock.Advance(TimeSpan.FromMinutes(6));

        // assert
        Assert.False(cache.Contains("early"));
        Assert.True(cache.Contains("late"));
    }

    [Fact]
    public void Cache_should_evict_the_least_recently_added_key_beyond_its_capacity()
    {
        // arrange
        var cache = new ProcessedMessageCache(3, Ttl, new ManualTimeProvider());
        cache.Add("a");
        cache.Add("b");
        cache.Add("c");
        Assert.True(cache.Contains("a"));            // a lookup does not count as adding

        // act
        cache.Add("d");

        // assert
        Assert.False(cache.Contains("a"));
        Assert.True(cache.Contains("b"));
        Assert.True(cache.Contains("c"));
        Assert.True(cache.Contains("d"));
        Assert.Equal(3, cache.Count);
    }

    [Fact]
    public void Cache_should_treat_adding_a_key_again_as_adding_it_now()
    {
        // arrange
        var clock = new ManualTimeProvider();
        var cache = new ProcessedMessageCache(2, Ttl, clock);
        cache.Add("a");
        cache.Add("b");
        clock.Advance(TimeSpan.FromMinutes(6));

        // act: "a" becomes the newest, with its TTL restarted
        cache.Add("a");
        cache.Add("c");

        // assert: "b" was the least recently added, and "a" outlives its first TTL
        Assert.False(cache.Contains("b"));
        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.True(cache.Contains("a"));
        Assert.True(cache.Contains("c"));
    }

    [Fact]
    public void Remove_should_forget_the_key()
    {
        // arrange
        var cache = new ProcessedMessageCache(10, Ttl, new ManualTimeProvider());
        cache.Add("a");

        // act / assert
        Assert.True(cache.Remove("a"));
        Assert.False(cache.Contains("a"));
        Assert.False(cache.Remove("a"));
    }

    [Theory]
    [InlineData(0, 60)]
    [InlineData(1, 0)]
    [InlineData(1, -1)]
    public void Cache_should_refuse_a_capacity_below_1_or_a_ttl_not_above_zero(int capacity, int ttlSeconds)
    {
        // act / assert
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessedMessageCache(capacity, TimeSpan.FromSeconds(ttlSeconds)));
    }
}
