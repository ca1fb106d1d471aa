using Coinshard.Chain.Hashing;
using Coinshard.Chain.Transactions;

namespace Coinshard.Storage;

/// <summary>
/// Everything the store needs to connect one block, already resolved by the caller: the coins the
/// block spends (looked up with <see cref="ChainStore.GetCoinsAsync"/>), the coins it creates that
/// are still unspent at the end of the block (outputs spent inside the same block appear in neither
/// list), and in full mode its transaction ids and history rows.
/// </summary>
public sealed record BlockDelta
{
    /// <summary>Size of a block header.</summary>
    public const int HeaderSize = 80;

    /// <summary>Creates a delta; see the properties for each argument.</summary>
    public BlockDelta(
        int height,
        Hash256 hash,
        byte[] header,
        IReadOnlyList<StoredCoin> spent,
        IReadOnlyList<StoredCoin> created)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(spent);
        ArgumentNullException.ThrowIfNull(created);
        Height = height;
        Hash = hash;
        Header = header;
        Spent = spent;
        Created = created;
    }

    /// <summary>Height of the block.</summary>
    public int Height { get; }

    /// <summary>Block hash (double SHA-256 of <see cref="Header"/>; checked).</summary>
    public Hash256 Hash { get; }

    /// <summary>The 80-byte header.</summary>
    public byte[] Header { get; }

    /// <summary>Coins the block spends, with their full stored data (they become undo data).</summary>
    public IReadOnlyList<StoredCoin> Spent { get; }

    /// <summary>Coins the block creates that remain unspent after it.</summary>
    public IReadOnlyList<StoredCoin> Created { get; }

    /// <summary>Full mode: every transaction id of the block, in block order (index = tx_pos).</summary>
    public IReadOnlyList<Hash256> TxIds { get; init; } = [];

    /// <summary>Full mode: one row per (scripthash, transaction) the block touches.</summary>
    public IReadOnlyList<BlockHistoryEntry> History { get; init; } = [];

    /// <summary>
    /// Extra scripthash keys to announce in the change feed. The store always adds the keys of spent
    /// and created coins and of history rows; list here keys touched only by same-block spends in
    /// utxo mode, if subscribers must hear of them.
    /// </summary>
    public IReadOnlyCollection<ulong> TouchedKeys { get; init; } = [];

    /// <summary>The parent block's hash, read from the header.</summary>
    public Hash256 ParentHash => new(Header.AsSpan(4, 32));

    internal void Validate(IndexMode mode)
    {
        if (Height < 0)
        {
            throw new ArgumentException($"block height must not be negative, got {Height}");
        }
        if (Header.Length != HeaderSize)
        {
            throw new ArgumentException($"a block header is 80 bytes, got {Header.Length}");
        }
        var computed = Hashes.DoubleSha256(Header);
        if (computed != Hash)
        {
            throw new ArgumentException($"block hash {Hash} does not match its header (which hashes to {computed})");
        }
        var spent = new HashSet<OutPoint>(Spent.Count);
        foreach (var coin in Spent)
        {
            ValidateCoin(coin, "spent");
            if (coin.Height > Height)
            {
                throw new ArgumentException($"spent coin {coin.OutPoint} has height {coin.Height}, above the block's {Height}");
            }
            if (!spent.Add(coin.OutPoint))
            {
                throw new ArgumentException($"coin {coin.OutPoint} is spent twice in block {Height}");
            }
        }
        var created = new HashSet<OutPoint>(Created.Count);
        foreach (var coin in Created)
        {
            ValidateCoin(coin, "created");
            if (coin.Height != Height)
            {
                throw new ArgumentException($"created coin {coin.OutPoint} has height {coin.Height}, not the block's {Height}");
            }
            if (!created.Add(coin.OutPoint))
            {
                throw new ArgumentException($"coin {coin.OutPoint} is created twice in block {Height}");
            }
        }
        if (mode == IndexMode.Full)
        {
            foreach (var row in History)
            {
                if (row.TxPos < 0 || row.TxPos >= TxIds.Count || TxIds[row.TxPos] != row.TxId)
                {
                    throw new ArgumentException(
                        $"history row for {row.TxId} at position {row.TxPos} does not match the block's transaction list ({TxIds.Count} transactions)");
                }
            }
        }
    }

    private static void ValidateCoin(StoredCoin coin, string what)
    {
        if (coin.Value < 0)
        {
            throw new ArgumentException($"{what} coin {coin.OutPoint} has a negative value");
        }
        if (coin.OutPoint.Index > int.MaxValue)
        {
            throw new ArgumentException($"{what} coin {coin.OutPoint} has an impossible output index");
        }
        if (coin.Height < 0 || coin.TxPos < -1)
        {
            throw new ArgumentException($"{what} coin {coin.OutPoint} has a negative height or position");
        }
        if (coin.Height >= CoinHeights.Limit)
        {
            throw new ArgumentException($"{what} coin {coin.OutPoint} has height {coin.Height}; heights up to {CoinHeights.Limit - 1} are supported");
        }
    }
}
