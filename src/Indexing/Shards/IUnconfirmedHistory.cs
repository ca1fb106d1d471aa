using Coinshard.Chain.Hashing;

namespace Coinshard.Indexing.Shards;

/// <summary>
/// The seam for mempool entries in script hash statuses (the Electrum gateway's mempool provides it
/// later): the shards append these after the confirmed history when computing a status, and the mempool
/// announces the keys it changes through <see cref="ScripthashShards.PublishAsync"/>.
/// </summary>
public interface IUnconfirmedHistory
{
    /// <summary>The script hash's unconfirmed transactions in the order Electrum lists them (height 0, or -1 with unconfirmed inputs).</summary>
    ValueTask<IReadOnlyList<StatusEntry>> GetAsync(Hash256 scripthash, CancellationToken cancellationToken);
}
