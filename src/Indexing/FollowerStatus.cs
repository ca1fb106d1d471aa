using Coinshard.Chain.Blocks;
using Coinshard.Chain.Networks;
using Coinshard.Storage;

namespace Coinshard.Indexing;

/// <summary>What a currency's chain follower is doing.</summary>
public enum FollowerState
{
    /// <summary>Opening the store and checking the backend.</summary>
    Starting,

    /// <summary>The store cannot be opened (database missing, locked or unreachable); retrying with backoff. Unhealthy.</summary>
    WaitingForStore,

    /// <summary>The backend cannot be reached (or answers with errors); retrying with backoff. Unhealthy.</summary>
    WaitingForBackend,

    /// <summary>Another process holds this currency's follower lease; this one stands by and takes over when it expires.</summary>
    StandingBy,

    /// <summary>Connecting blocks towards the backend's tip.</summary>
    CatchingUp,

    /// <summary>Loading a UTXO snapshot into the empty index (nothing is served until it completes); no block is written meanwhile.</summary>
    LoadingSnapshot,

    /// <summary>At the backend's tip, waiting for new blocks.</summary>
    Following,

    /// <summary>Disconnecting blocks on an operator's rewind request.</summary>
    Rewinding,

    /// <summary>Stopped by an error an operator must act on (wrong network, reorg deeper than the undo window); see <see cref="FollowerStatus.LastError"/>.</summary>
    Faulted,

    /// <summary>Shut down.</summary>
    Stopped,
}

/// <summary>Catch-up speed, averaged over the last minute or so.</summary>
/// <param name="BlocksPerSecond">Blocks connected per second.</param>
/// <param name="InputsOutputsPerSecond">Spent plus created coins written per second.</param>
/// <param name="Eta">Estimated time to reach the backend's tip; null when unknown or at the tip.</param>
public sealed record FollowerProgress(double BlocksPerSecond, double InputsOutputsPerSecond, TimeSpan? Eta);

/// <summary>A snapshot of one currency's follower, for the admin API, logs and health checks.</summary>
/// <param name="Network">The configured network.</param>
/// <param name="Mode">utxo or full.</param>
/// <param name="State">What the follower is doing.</param>
/// <param name="IndexTip">The stored tip; null before the first block.</param>
/// <param name="NodeTip">The backend's tip when last seen; null before the backend answered.</param>
/// <param name="HoldsLease">True when this process is the currency's writer.</param>
/// <param name="LastError">The most recent error, one line, no secrets; null when none.</param>
/// <param name="Progress">Catch-up speed; null when idle.</param>
/// <param name="UpdatedAt">When this snapshot was taken.</param>
public sealed record FollowerStatus(
    Network Network,
    IndexMode Mode,
    FollowerState State,
    ChainTip? IndexTip,
    ChainTip? NodeTip,
    bool HoldsLease,
    string? LastError,
    FollowerProgress? Progress,
    DateTimeOffset UpdatedAt)
{
    /// <summary>Blocks the index is behind the backend; null while either tip is unknown.</summary>
    public int? Lag => IndexTip is null || NodeTip is null ? null : Math.Max(0, NodeTip.Height - IndexTip.Height);

    /// <summary>False when an operator or the orchestrator should look: store or backend unreachable, or follower faulted.</summary>
    public bool IsHealthy => State is not (FollowerState.WaitingForStore or FollowerState.WaitingForBackend or FollowerState.Faulted);
}
