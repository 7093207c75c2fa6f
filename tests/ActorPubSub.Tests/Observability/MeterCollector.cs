using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ActorPubSub.Observability;
using ActorPubSub.Messages;
using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Observability;

/// <summary>
/// Listens to the ActorPubSub meter and keeps what concerns the topics of one test: counter sums and the latest gauge
/// value per (instrument, topic, subscription, reason), and every histogram recording. MeterListeners are
/// process-wide and the other test classes publish meanwhile, so everything tagged is kept per topic; the
/// histograms are untagged, so a test can only say they moved.
/// </summary>
public sealed class MeterCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Func<string?, bool> _mine;
    private readonly ConcurrentDictionary<(string Instrument, string? Topic, string? Subscription, string? Reason), double> _sums = new();
    private readonly ConcurrentDictionary<(string Instrument, string? Topic, string? Subscription), double> _gauges = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<double>> _histograms = new();

    /// <param name="topicPrefix">Only measurements of topics starting with it are kept (untagged ones always).</param>
    public MeterCollector(string topicPrefix)
    {
        _mine = topic => topic is not null && topic.StartsWith(topicPrefix, StringComparison.Ordinal);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PubSubTelemetry.Name) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>A counter's sum for the topic (and subscription, and reason: null = any).</summary>
    public long Count(string instrument, string topic, string? subscription = null, string? reason = null) =>
        (long)_sums.Where(e => e.Key.Instrument == instrument && e.Key.Topic == topic &&
                               (subscription is null || e.Key.Subscription == subscription) && (reason is null || e.Key.Reason == reason))
            .Sum(e => e.Value);

    /// <summary>Observes the gauges now and returns the value of one, or null when it reported none.</summary>
    public double? Gauge(string instrument, string? topic = null, string? subscription = null)
    {
        _listener.RecordObservableInstruments();
        return _gauges.TryGetValue((instrument, topic, subscription), out var value) ? value : null;
    }

    public IReadOnlyList<double> Recordings(string instrument) =>
        _histograms.TryGetValue(instrument, out var values) ? [.. values] : [];

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? topic = null, subscription = null, reason = null;
        foreach (var tag in tags)
        {
            switch (tag.Key)
            {
                case InstrumentNames.TopicTag: topic = tag.Value as string; break;
                case InstrumentNames.SubscriptionTag: subscription = tag.Value as string; break;
                case InstrumentNames.ReasonTag: reason = tag.Value as string; break;
            }
        }
        if (instrument is Histogram<double> or Histogram<long>)
        {
            _histograms.GetOrAdd(instrument.Name, _ => new ConcurrentQueue<double>()).Enqueue(value);
            return;
        }
        if (instrument.IsObservable)
        {
            if (topic is null || _mine(topic)) _gauges[(instrument.Name, topic, subscription)] = value;
            return;
        }
        if (_mine(topic)) _sums.AddOrUpdate((instrument.Name, topic, subscription, reason), value, (_, sum) => sum + value);
    }
}
