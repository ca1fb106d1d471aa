using Coinshard.Chain.Hashing;

namespace Coinshard.Backends;

/// <summary>The backend's mempool: which transactions wait, and their fees and dependencies.</summary>
public interface IMempoolSource : IBackend
{
    /// <summary>Ids of all mempool transactions.</summary>
    Task<IReadOnlyList<Hash256>> GetMempoolTxidsAsync(CancellationToken cancellationToken = default);

    /// <summary>All mempool transactions with fee, size and unconfirmed parents.</summary>
    Task<IReadOnlyList<MempoolEntry>> GetMempoolEntriesAsync(CancellationToken cancellationToken = default);

    /// <summary>Mempool size, memory and fee floors.</summary>
    Task<MempoolInfo> GetMempoolInfoAsync(CancellationToken cancellationToken = default);
}
