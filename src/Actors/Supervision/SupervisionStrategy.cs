namespace Coinshard.Actors.Supervision;

/// <summary>
/// How an actor reacts to its own failures. The message whose handler threw is never redelivered (at most once):
/// redelivering a message that crashes the actor deterministically would only repeat the crash. An ask that
/// carried it fails with the handler's exception; a told message is logged with the failure and dropped.
/// </summary>
public sealed record SupervisionStrategy
{
    /// <summary>Restart with 100 ms … 10 s exponential backoff; the 6th failure within a minute escalates.</summary>
    public static SupervisionStrategy Default { get; } = new();

    /// <summary>The directive for every failure, unless <see cref="Decider"/> chooses per exception.</summary>
    public SupervisionDirective Directive { get; init; } = SupervisionDirective.Restart;

    /// <summary>Optional per-exception choice (for example: stop on a corrupt-data error, restart on I/O errors).</summary>
    public Func<Exception, SupervisionDirective>? Decider { get; init; }

    /// <summary>Restarts allowed within <see cref="Window"/>; the failure after them escalates instead.</summary>
    public int MaxRestarts { get; init; } = 5;

    /// <summary>Sliding window in which failures are counted; older failures are forgotten (and backoff shrinks again).</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Delay before the first restart within the window.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Upper bound of the doubling backoff, so a flapping dependency is retried at a steady pace.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The directive for <paramref name="exception"/>.</summary>
    public SupervisionDirective Decide(Exception exception) => Decider?.Invoke(exception) ?? Directive;

    /// <summary>
    /// Delay before the restart that follows the <paramref name="failureCount"/>-th failure within the window:
    /// <c>MinBackoff × 2^(failureCount − 1)</c>, capped at <see cref="MaxBackoff"/>.
    /// </summary>
    public TimeSpan BackoffFor(int failureCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failureCount, 1);
        var delay = MinBackoff;
        for (var i = 1; i < failureCount && delay < MaxBackoff; i++)
        {
            delay = delay > MaxBackoff / 2 ? MaxBackoff : delay * 2;
        }

        return delay < MaxBackoff ? delay : MaxBackoff;
    }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRestarts, nameof(MaxRestarts));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Window, TimeSpan.Zero, nameof(Window));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinBackoff, TimeSpan.Zero, nameof(MinBackoff));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBackoff, MinBackoff, nameof(MaxBackoff));
        if (!Enum.IsDefined(Directive))
        {
            throw new ArgumentOutOfRangeException(nameof(Directive), Directive, "Unknown supervision directive.");
        }
    }
}
