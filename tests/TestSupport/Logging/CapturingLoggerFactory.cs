using System.Collections.Concurrent;

using Microsoft.Extensions.Logging;

namespace Coinshard.TestSupport.Logging;

/// <summary>One captured log call, with everything that could leak a secret: message, structured values and exception.</summary>
/// <param name="Category">Logger category.</param>
/// <param name="Level">Level.</param>
/// <param name="EventId">Event id.</param>
/// <param name="Message">The formatted message.</param>
/// <param name="State">Every structured value, rendered as text.</param>
/// <param name="Exception">The exception's full text (type, message, stack, inner exceptions), if any.</param>
public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message, IReadOnlyList<string> State, string? Exception)
{
    /// <summary>Everything in the entry as one string, to search for things that must not be there.</summary>
    public string AllText => string.Join("\n", [Category, Message, .. State, Exception ?? ""]);
}

/// <summary>
/// An <see cref="ILoggerFactory"/> that keeps every log call in memory, so tests can assert on what
/// was (and was not) logged. Thread-safe.
/// </summary>
public sealed class CapturingLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    /// <summary>The entries so far, oldest first.</summary>
    public IReadOnlyList<CapturedLog> Entries => [.. _entries];

    /// <summary>All captured text joined, to search for secrets.</summary>
    public string AllText => string.Join("\n---\n", _entries.Select(e => e.AllText));

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, _entries);

    /// <inheritdoc />
    public void AddProvider(ILoggerProvider provider)
    {
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<CapturedLog> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.Select(p => $"{p.Key}={p.Value}").ToList()
                : [state?.ToString() ?? ""];
            entries.Enqueue(new CapturedLog(category, logLevel, eventId, formatter(state, exception), values, exception?.ToString()));
        }
    }
}
