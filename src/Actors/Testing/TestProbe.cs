using System.Threading.Channels;

namespace Coinshard.Actors.Testing;

/// <summary>
/// An actor reference for tests: actors under test send to it like to any actor, and the test asserts on what
/// arrived, in order, with timeouts. Its inbox is unbounded, so it never applies back-pressure. Waits use real
/// time (not the system's <see cref="TimeProvider"/>) and only bound how long a failing test hangs: make them
/// generous; nothing here asserts that something is fast.
/// </summary>
/// <typeparam name="T">Messages the probe accepts.</typeparam>
public sealed class TestProbe<T> : IActorRef<T>
{
    private readonly Channel<T> _inbox = Channel.CreateUnbounded<T>();

    /// <summary>Creates a probe.</summary>
    /// <param name="name">Shown in its path and failure messages.</param>
    /// <param name="defaultTimeout">How long expectations wait when not told; 10 seconds by default, for slow machines.</param>
    public TestProbe(string name = "probe", TimeSpan? defaultTimeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Path = "probe/" + name;
        DefaultTimeout = defaultTimeout ?? TimeSpan.FromSeconds(10);
    }

    /// <inheritdoc/>
    public string Path { get; }

    /// <summary>How long expectations wait when not told.</summary>
    public TimeSpan DefaultTimeout { get; }

    /// <summary>Messages received and not yet consumed by an expectation.</summary>
    public int Count => _inbox.Reader.Count;

    /// <summary>Always accepts (the inbox is unbounded).</summary>
    public bool TryTell(T message) => _inbox.Writer.TryWrite(message);

    /// <summary>Always accepts at once (the inbox is unbounded).</summary>
    public ValueTask TellAsync(T message, CancellationToken cancellationToken = default)
    {
        _inbox.Writer.TryWrite(message);
        return ValueTask.CompletedTask;
    }

    /// <summary>The next message, waiting up to <paramref name="timeout"/>.</summary>
    /// <exception cref="ProbeExpectationException">Nothing arrived in time.</exception>
    public async Task<T> ExpectMsgAsync(TimeSpan? timeout = null)
    {
        var wait = timeout ?? DefaultTimeout;
        var next = await NextAsync(wait).ConfigureAwait(false)
            ?? throw new ProbeExpectationException($"{Path}: expected a message within {wait}, got none.");
        return next.Value;
    }

    /// <summary>The next message, which must equal <paramref name="expected"/> (records compare by value).</summary>
    /// <exception cref="ProbeExpectationException">Nothing arrived in time, or something else arrived.</exception>
    public async Task<T> ExpectMsgAsync(T expected, TimeSpan? timeout = null)
    {
        var actual = await ExpectMsgAsync(timeout).ConfigureAwait(false);
        return EqualityComparer<T>.Default.Equals(actual, expected)
            ? actual
            : throw new ProbeExpectationException($"{Path}: expected {expected}, got {actual}.");
    }

    /// <summary>The next message, which must be a <typeparamref name="TExpected"/> and satisfy <paramref name="predicate"/> when given.</summary>
    /// <exception cref="ProbeExpectationException">Nothing arrived in time, or the next message did not match.</exception>
    public async Task<TExpected> ExpectMsgAsync<TExpected>(Func<TExpected, bool>? predicate = null, TimeSpan? timeout = null)
        where TExpected : T
    {
        var actual = await ExpectMsgAsync(timeout).ConfigureAwait(false);
        if (actual is not TExpected typed)
        {
            throw new ProbeExpectationException($"{Path}: expected a {typeof(TExpected).Name}, got {Describe(actual)}.");
        }

        return predicate is null || predicate(typed)
            ? typed
            : throw new ProbeExpectationException($"{Path}: {Describe(actual)} did not satisfy the expectation.");
    }

    /// <summary>
    /// Waits <paramref name="duration"/> (200 ms by default) and fails if any message arrives meanwhile (or was
    /// already waiting). A slow machine can only make this pass more easily, never fail spuriously.
    /// </summary>
    /// <exception cref="ProbeExpectationException">A message arrived.</exception>
    public async Task ExpectNoMsgAsync(TimeSpan? duration = null)
    {
        var wait = duration ?? TimeSpan.FromMilliseconds(200);
        if (await NextAsync(wait).ConfigureAwait(false) is { } unexpected)
        {
            throw new ProbeExpectationException($"{Path}: expected no message for {wait}, got {Describe(unexpected.Value)}.");
        }
    }

    /// <summary>Skips messages until one satisfies <paramref name="predicate"/>, and returns it.</summary>
    /// <exception cref="ProbeExpectationException">No matching message arrived within <paramref name="timeout"/>.</exception>
    public async Task<T> FishForMessageAsync(Func<T, bool> predicate, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var wait = timeout ?? DefaultTimeout;
        var deadline = DateTimeOffset.UtcNow + wait;
        var skipped = 0;
        while (true)
        {
            var remaining = deadline - DateTimeOffset.UtcNow;
            var next = remaining > TimeSpan.Zero ? await NextAsync(remaining).ConfigureAwait(false) : TryNext();
            if (next is not { } message)
            {
                throw new ProbeExpectationException($"{Path}: no matching message within {wait} ({skipped} others skipped).");
            }

            if (predicate(message.Value))
            {
                return message.Value;
            }

            skipped++;
        }
    }

    /// <summary>The next <paramref name="count"/> messages in arrival order, all within <paramref name="timeout"/>.</summary>
    /// <exception cref="ProbeExpectationException">Fewer arrived in time.</exception>
    public async Task<IReadOnlyList<T>> ReceiveAsync(int count, TimeSpan? timeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var wait = timeout ?? DefaultTimeout;
        var deadline = DateTimeOffset.UtcNow + wait;
        var received = new List<T>(count);
        while (received.Count < count)
        {
            var remaining = deadline - DateTimeOffset.UtcNow;
            var next = remaining > TimeSpan.Zero ? await NextAsync(remaining).ConfigureAwait(false) : TryNext();
            if (next is not { } message)
            {
                throw new ProbeExpectationException($"{Path}: expected {count} messages within {wait}, got {received.Count}.");
            }

            received.Add(message.Value);
        }

        return received;
    }

    private Box? TryNext() => _inbox.Reader.TryRead(out var message) ? new Box(message) : null;

    private async Task<Box?> NextAsync(TimeSpan wait)
    {
        if (TryNext() is { } ready)
        {
            return ready;
        }

        using var timeout = new CancellationTokenSource(wait);
        try
        {
            return new Box(await _inbox.Reader.ReadAsync(timeout.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return null;
        }
    }

    private static string Describe(T? message) => message is null ? "null" : $"{message.GetType().Name} {message}";

    /// <summary>Distinguishes "no message" from a message that is itself null or default.</summary>
    private sealed record Box(T Value);
}
