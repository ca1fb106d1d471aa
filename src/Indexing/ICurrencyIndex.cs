using Coinshard.Chain.Blocks;
using Coinshard.Chain.Networks;
using Coinshard.Storage;

namespace Coinshard.Indexing;

/// <summary>
/// One currency's running index as the host, the admin API and the Electrum gateway see it: the
/// store to read from, the follower's status, and the operator's rewind.
/// </summary>
public interface ICurrencyIndex : IAsyncDisposable
{
    /// <summary>The configured network.</summary>
    Network Network { get; }

    /// <summary>The store to read UTXOs, balances, headers and history from (readers never need the lease).</summary>
    ChainStore Store { get; }

    /// <summary>The follower's latest status snapshot (cheap; safe from any thread).</summary>
    FollowerStatus Status { get; }

    /// <summary>
    /// Disconnects blocks until the stored tip is at <paramref name="height"/>, then resumes following
    /// (which reconnects the node's blocks above it). Clears a <see cref="FollowerState.Faulted"/> state
    /// caused by a too-deep reorg once the fork point is reachable. Fails with
    /// <see cref="UndoUnavailableException"/> when <paramref name="height"/> is below the undo window.
    /// </summary>
    Task<RewindResult> RewindAsync(int height, CancellationToken cancellationToken = default);

    /// <summary>
    /// Empties this currency's index and rebuilds it from the configured start height: the way out of
    /// a reorg deeper than the undo window. Holds the lease throughout; readers see an empty index
    /// until the rebuild catches up.
    /// </summary>
    Task ResetAsync(CancellationToken cancellationToken = default);
}

/// <summary>The outcome of a rewind.</summary>
/// <param name="From">Tip before.</param>
/// <param name="To">Tip after.</param>
/// <param name="BlocksDisconnected">Blocks removed.</param>
public sealed record RewindResult(ChainTip From, ChainTip To, int BlocksDisconnected);
