namespace Coinshard.Backends.Routing;

/// <summary>How patient a <see cref="BackendRouter"/> is, and how it broadcasts.</summary>
public sealed record BackendRouterOptions
{
    /// <summary>
    /// Rounds through the adapters able to answer a call: after a round in which some adapter failed,
    /// the router waits (<see cref="RetryBaseDelay"/>, doubling) and tries the failed ones again. Each
    /// adapter retries on its own too, so keep both small.
    /// </summary>
    public int Rounds { get; init; } = 2;

    /// <summary>Delay before the second round; doubles each round (with jitter) up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest delay between rounds.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Consecutive failures after which an adapter is taken out of service (its circuit opens). An adapter
    /// already retries internally before it reports a failure, so one is enough by default.
    /// </summary>
    public int FailureThreshold { get; init; } = 1;

    /// <summary>
    /// How long an adapter out of service is left alone before it is probed again; a successful probe
    /// returns it to service, a failed one starts another cool-down. While cooling down it is used only
    /// when no other adapter can answer.
    /// </summary>
    public TimeSpan CoolDown { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Where <see cref="BackendRouter.BroadcastAsync"/> sends a transaction.</summary>
    public BroadcastMode BroadcastMode { get; init; } = BroadcastMode.FirstSuccess;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Rounds, 1, nameof(Rounds));
        ArgumentOutOfRangeException.ThrowIfLessThan(FailureThreshold, 1, nameof(FailureThreshold));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryBaseDelay, TimeSpan.Zero, nameof(RetryBaseDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryMaxDelay, RetryBaseDelay, nameof(RetryMaxDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(CoolDown, TimeSpan.Zero, nameof(CoolDown));
        if (!Enum.IsDefined(BroadcastMode))
        {
            throw new ArgumentOutOfRangeException(nameof(BroadcastMode), BroadcastMode, "unknown broadcast mode");
        }
    }
}
