using Coinshard.Chain.Networks;

namespace Coinshard.Storage;

/// <summary>Which data an index keeps for its currency.</summary>
public enum IndexMode
{
    /// <summary>The whole UTXO set; no per-scripthash history table.</summary>
    Utxo,

    /// <summary>The whole UTXO set plus per-scripthash history from <see cref="ChainStoreSettings.HistoryStartHeight"/>.</summary>
    Full,
}

/// <summary>
/// What a currency's tables are initialized for. Network, mode, shard count and (in full mode) the
/// history start height are fixed once recorded: the data would be wrong for any other value.
/// The undo depth may change between runs.
/// </summary>
/// <param name="Network">The chain the tables follow.</param>
/// <param name="Mode">utxo or full.</param>
/// <param name="HistoryStartHeight">First height whose transactions enter the history (full mode).</param>
/// <param name="ShardCount">Number of scripthash shards of the deployment (recorded so every node agrees).</param>
/// <param name="UndoDepth">How many recent blocks keep undo data: the deepest reorg handled without an operator.</param>
public sealed record ChainStoreSettings(
    Network Network,
    IndexMode Mode,
    int HistoryStartHeight,
    int ShardCount,
    int UndoDepth)
{
    /// <summary>Default settings: Bitcoin keeps 100 blocks of undo, Litecoin 800 (2.5-minute blocks, same wall-clock depth and more).</summary>
    public static ChainStoreSettings Default(Network network, IndexMode mode = IndexMode.Utxo)
    {
        ArgumentNullException.ThrowIfNull(network);
        return new ChainStoreSettings(network, mode, 0, 16, DefaultUndoDepth(network.Currency));
    }

    /// <summary>The default undo depth of a currency.</summary>
    public static int DefaultUndoDepth(Currency currency) => currency == Currency.Litecoin ? 800 : 100;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Network);
        ArgumentOutOfRangeException.ThrowIfNegative(HistoryStartHeight);
        ArgumentOutOfRangeException.ThrowIfLessThan(ShardCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(UndoDepth, 1);
    }
}
