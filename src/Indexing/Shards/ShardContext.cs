using Coinshard.Storage;

namespace Coinshard.Indexing.Shards;

/// <summary>What every shard of one currency shares: where to read, the mode, the limits, the mempool seam.</summary>
internal sealed class ShardContext(Func<ChainStore?> store, IndexMode mode, int cacheEntriesPerShard, int maxHistory)
{
    private volatile IUnconfirmedHistory? _unconfirmed;

    /// <summary>The store once it is open, else null.</summary>
    public ChainStore? Store => store();

    public IndexMode Mode { get; } = mode;

    public int CacheEntriesPerShard { get; } = cacheEntriesPerShard;

    public int MaxHistory { get; } = maxHistory;

    public IUnconfirmedHistory? Unconfirmed
    {
        get => _unconfirmed;
        set => _unconfirmed = value;
    }
}
