using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ActorPubSub.Tests.Observability;

/// <summary>A logger provider that keeps every line with the properties of the scopes it was logged in.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public sealed record Entry(string Category, string Message, IReadOnlyDictionary<string, object?> ScopeProperties);

    public ConcurrentQueue<Entry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() { }

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = new Dictionary<string, object?>();
            provider._scopes.ForEachScope((scope, props) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    foreach (var (key, value) in pairs) props[key] = value;
            }, properties);
            provider.Entries.Enqueue(new Entry(category, formatter(state, exception), properties));
        }
    }
}
