namespace ActorPubSub.Tests.Support;

/// <summary>
/// Waits for a condition that the system under test makes true asynchronously. It polls until the
/// condition holds and fails with a description when the deadline passes: the deadline bounds a wait for
/// an outcome, it is not a guess at how long something takes.
/// </summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<bool> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"Timed out waiting until {what}.");
            await Task.Delay(20);
        }
    }

    public static async Task<T> HoldsAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var value = await probe();
            if (condition(value)) return value;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"Timed out waiting until {what}; last value: {value}.");
            await Task.Delay(50);
        }
    }
}
