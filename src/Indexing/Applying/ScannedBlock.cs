using Coinshard.Chain.Hashing;
using Coinshard.Chain.Transactions;
using Coinshard.Storage;

namespace Coinshard.Indexing.Applying;

/// <summary>
/// A block after the CPU-bound half of indexing (parsing, txids, scripthash keys, same-block spends),
/// which runs ahead of the writer on the thread pool. What is left, resolving the spends of older coins
/// against the store, needs the store and happens in <see cref="BlockDeltaBuilder.ResolveAsync"/>.
/// </summary>
public sealed class ScannedBlock
{
    internal ScannedBlock(
        int height,
        Hash256 hash,
        byte[] header,
        int size,
        Hash256[] txIds,
        List<StoredCoin> created,
        List<SpendRef> spends,
        List<ulong> sameBlockKeys,
        List<BlockHistoryEntry>? history,
        HashSet<(ulong, int)>? historySeen,
        OutPoint[] bip30Overwrites,
        int inputCount,
        int outputCount)
    {
        Height = height;
        Hash = hash;
        Header = header;
        Size = size;
        TxIds = txIds;
        Created = created;
        Spends = spends;
        SameBlockKeys = sameBlockKeys;
        History = history;
        HistorySeen = historySeen;
        Bip30Overwrites = bip30Overwrites;
        InputCount = inputCount;
        OutputCount = outputCount;
    }

    /// <summary>Height the block was scanned for.</summary>
    public int Height { get; }

    /// <summary>Block hash (double SHA-256 of the header).</summary>
    public Hash256 Hash { get; }

    /// <summary>The 80-byte header.</summary>
    public byte[] Header { get; }

    /// <summary>The parent's hash, from the header: what must equal the index's tip.</summary>
    public Hash256 ParentHash => new(Header.AsSpan(4, Hash256.Size));

    /// <summary>Serialized size in bytes (including any MWEB extension block).</summary>
    public int Size { get; }

    /// <summary>Transactions in the block.</summary>
    public int TransactionCount => TxIds.Length;

    /// <summary>Canonical inputs of the non-coinbase transactions.</summary>
    public int InputCount { get; }

    /// <summary>Canonical outputs, unspendable ones included.</summary>
    public int OutputCount { get; }

    /// <summary>Inputs plus outputs: the unit of work the progress figures count.</summary>
    public int InputsAndOutputs => InputCount + OutputCount;

    /// <summary>Every txid in block order (index = position).</summary>
    internal Hash256[] TxIds { get; }

    /// <summary>Indexable outputs still unspent at the end of the block.</summary>
    internal List<StoredCoin> Created { get; }

    /// <summary>Inputs spending coins from earlier blocks, in block order.</summary>
    internal List<SpendRef> Spends { get; }

    /// <summary>Keys of outputs created and spent inside this block (announced though they never reach the store).</summary>
    internal List<ulong> SameBlockKeys { get; }

    /// <summary>Full mode: history rows known without the store (outputs, same-block spends); null in utxo mode.</summary>
    internal List<BlockHistoryEntry>? History { get; }

    /// <summary>Full mode: (key, position) pairs already in <see cref="History"/>, to keep one row per key and transaction.</summary>
    internal HashSet<(ulong, int)>? HistorySeen { get; }

    /// <summary>Bitcoin mainnet BIP30 blocks: coinbase outpoints that overwrite an older, identical coinbase's coins.</summary>
    internal OutPoint[] Bip30Overwrites { get; }
}

/// <summary>An input that spends a coin of an earlier block.</summary>
/// <param name="OutPoint">The coin.</param>
/// <param name="TxPos">Position of the spending transaction.</param>
internal readonly record struct SpendRef(OutPoint OutPoint, int TxPos);
