using Akka.Actor;
using Akka.Configuration;

namespace ActorPubSub.Subscriptions;

/// <summary>Settings of a consumer, read from <c>actorpubsub.consumer</c> and overridable per subscribe call.</summary>
public sealed record ConsumerSettings(
    int MaxInFlight,
    TimeSpan RenewInterval,
    TimeSpan HandlerTimeout,
    TimeSpan RetryMinBackoff,
    TimeSpan RetryMaxBackoff)
{
    public static ConsumerSettings Create(ActorSystem system) => Create(system.Settings.Config.GetConfig("actorpubsub"));

    /// <param name="config">The <c>actorpubsub</c> section.</param>
    public static ConsumerSettings Create(Config config)
    {
        var c = config.GetConfig("consumer");
        return new ConsumerSettings(
            c.GetInt("max-in-flight"),
            c.GetTimeSpan("renew-interval"),
            c.GetTimeSpan("handler-timeout"),
            c.GetTimeSpan("retry-min-backoff"),
            c.GetTimeSpan("retry-max-backoff")).Validate();
    }

    public ConsumerSettings Validate()
    {
        if (MaxInFlight is < 1 or > 100_000)
            throw new ArgumentException($"MaxInFlight is {MaxInFlight}; it must be between 1 and 100000.");
        if (HandlerTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"HandlerTimeout is {HandlerTimeout}; it must be positive.");
        if (RenewInterval <= TimeSpan.Zero)
            throw new ArgumentException($"actorpubsub.consumer.renew-interval is {RenewInterval}; it must be positive.");
        if (RetryMinBackoff < TimeSpan.Zero || RetryMaxBackoff < RetryMinBackoff)
            throw new ArgumentException("actorpubsub.consumer retry backoff: min must be 0 or more and max at least min.");
        return this;
    }

    /// <summary>Exponential backoff with ±20% jitter, so consumers that failed together do not retry together.</summary>
    public TimeSpan BackoffFor(int attempt)
    {
        var exponent = Math.Min(Math.Max(attempt - 1, 0), 30);
        var ms = Math.Min(RetryMinBackoff.TotalMilliseconds * Math.Pow(2, exponent), RetryMaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms * (0.8 + Random.Shared.NextDouble() * 0.4));
    }
}
