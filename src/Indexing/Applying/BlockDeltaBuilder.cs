using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Scripts;
using Coinshard.Chain.Transactions;
using Coinshard.Storage;

namespace Coinshard.Indexing.Applying;

/// <summary>Looks up which of some outpoints are unspent coins (<see cref="ChainStore.GetCoinsAsync"/> fits).</summary>
/// <param name="outPoints">Distinct outpoints to look up.</param>
/// <param name="cancellationToken">Cancels the lookup.</param>
/// <returns>The coins found; outpoints that are not coins are simply absent.</returns>
public delegate Task<IReadOnlyList<StoredCoin>> CoinLookup(IReadOnlyCollection<OutPoint> outPoints, CancellationToken cancellationToken);

/// <summary>Deltas for consecutive blocks, ready for <see cref="ChainStore.ConnectBlocksAsync"/>.</summary>
/// <param name="Deltas">One per block, in order.</param>
/// <param name="MissingCoinsSkipped">Spends of coins the index never saw (created below its start height) that were skipped.</param>
/// <param name="CoinsLookedUp">Outpoints asked of the store (one batched lookup for the whole batch).</param>
public sealed record DeltaBatch(IReadOnlyList<BlockDelta> Deltas, int MissingCoinsSkipped, int CoinsLookedUp);

/// <summary>
/// Turns raw blocks into <see cref="BlockDelta"/>s that make the store's UTXO set equal to the node's
/// (Bitcoin Core's <c>gettxoutsetinfo</c> is the reference). In two steps: <see cref="Scan"/> does the CPU
/// work on the raw bytes without the store (so it can run ahead of the writer, on any thread), and
/// <see cref="ResolveAsync"/> resolves the spends of older coins with one batched store lookup per batch.
/// </summary>
/// <remarks>
/// Rules, as in Core: outputs whose script starts with OP_RETURN or is longer than 10,000 bytes are never
/// coins; the genesis block's coinbase creates no coin; outputs created and spent inside one block never
/// reach the store (in full mode they still enter the history). Litecoin: only the canonical transactions
/// count (the HogEx is one: its outputs are coins, its inputs spend the previous HogEx output and this
/// block's peg-ins); MWEB extension data is confidential and ignored. Bitcoin mainnet blocks 91842 and
/// 91880 re-create the coinbase outputs of blocks 91812 and 91722 (BIP30): the old coins are passed as
/// spent so the new ones can be stored, leaving one coin per outpoint like Core. Instances are immutable
/// and thread-safe.
/// </remarks>
public sealed class BlockDeltaBuilder
{
    private static readonly int[] BitcoinBip30Heights = [91842, 91880];

    /// <summary>Creates a builder for one currency's index.</summary>
    /// <param name="network">The chain (selects Litecoin parsing and the BIP30 exceptions).</param>
    /// <param name="mode">utxo or full (full mode adds transaction ids and history rows).</param>
    /// <param name="startHeight">
    /// First height the index has seen. Above 0, spends of unknown coins (created below it) are skipped and
    /// counted; at 0 such a spend means the index is corrupt and raises <see cref="StoreConsistencyException"/>.
    /// </param>
    public BlockDeltaBuilder(Network network, IndexMode mode, int startHeight = 0)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfNegative(startHeight);
        Network = network;
        Mode = mode;
        StartHeight = startHeight;
    }

    /// <summary>The chain.</summary>
    public Network Network { get; }

    /// <summary>utxo or full.</summary>
    public IndexMode Mode { get; }

    /// <summary>First height the index has seen.</summary>
    public int StartHeight { get; }

    /// <summary>
    /// Spends of unknown coins are skipped and counted even from genesis: set for an index loaded from a
    /// snapshot with a dust limit, whose skipped outputs may be spent later.
    /// </summary>
    public bool MissingCoinsAllowed { get; set; }

    /// <summary>
    /// Parses <paramref name="block"/> (canonical bytes as the node serves them, Litecoin MWEB included) and
    /// does everything that needs no store: txids, scripthash keys of indexable outputs, same-block spends.
    /// </summary>
    /// <exception cref="Chain.ChainFormatException">The block is malformed.</exception>
    public ScannedBlock Scan(ReadOnlySpan<byte> block, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        var full = Mode == IndexMode.Full;
        var scanner = new BlockScanner(block, Network.Currency);
        var header = scanner.HeaderBytes.ToArray();
        var hash = Hashes.DoubleSha256(header);
        var txIds = new Hash256[scanner.TransactionCount];
        var created = new List<StoredCoin>(scanner.TransactionCount * 2 + 1);
        var createdIndex = new Dictionary<OutPoint, int>(scanner.TransactionCount * 2 + 1);
        var spends = new List<SpendRef>(scanner.TransactionCount * 2);
        var sameBlockKeys = new List<ulong>();
        var history = full ? new List<BlockHistoryEntry>(scanner.TransactionCount * 3) : null;
        var historySeen = full ? new HashSet<(ulong, int)>(scanner.TransactionCount * 3) : null;
        var bip30 = Network == Network.BitcoinMainnet && Array.IndexOf(BitcoinBip30Heights, height) >= 0;
        List<OutPoint>? bip30Overwrites = null;
        int inputs = 0, outputs = 0, spentInBlock = 0;

        while (scanner.MoveNext())
        {
            var tx = scanner.Current;
            var txId = tx.TxId;
            var position = tx.Index;
            var coinbase = tx.IsCoinbase;
            txIds[position] = txId;
            if (!coinbase)
            {
                foreach (var input in tx.Inputs)
                {
                    inputs++;
                    if (createdIndex.Remove(input.PrevOut, out var index))
                    {
                        var coin = created[index];
                        created[index] = coin with { Value = -1 }; // spent in this block: dropped below
                        spentInBlock++;
                        sameBlockKeys.Add(coin.ScripthashKey);
                        AddHistory(history, historySeen, coin.ScripthashKey, position, txId);
                    }
                    else
                    {
                        spends.Add(new SpendRef(input.PrevOut, position));
                    }
                }
            }
            // Core never added the genesis coinbase to its UTXO set.
            var indexable = !(coinbase && height == 0);
            foreach (var output in tx.Outputs)
            {
                outputs++;
                var script = output.ScriptPubKey;
                if (!indexable || ScriptClassifier.IsUnspendable(script))
                {
                    continue;
                }
                var key = ScripthashKeys.Of(ElectrumScripthash.Compute(script));
                var outPoint = new OutPoint(txId, output.Index);
                createdIndex[outPoint] = created.Count;
                created.Add(new StoredCoin(outPoint, key, output.Value, height, coinbase, position));
                AddHistory(history, historySeen, key, position, txId);
                if (bip30 && coinbase)
                {
                    (bip30Overwrites ??= []).Add(outPoint);
                }
            }
        }
        if (spentInBlock > 0)
        {
            created.RemoveAll(static c => c.Value < 0);
        }
        return new ScannedBlock(
            height, hash, header, block.Length, txIds, created, spends, sameBlockKeys, history, historySeen,
            bip30Overwrites?.ToArray() ?? [], inputs, outputs);
    }

    /// <summary>
    /// Resolves the spends of consecutive scanned blocks: coins created by an earlier block of the batch
    /// from memory, all others with ONE <paramref name="lookup"/> call, and builds their deltas.
    /// </summary>
    /// <exception cref="ArgumentException">The blocks are not consecutive (height and parent hash).</exception>
    /// <exception cref="StoreConsistencyException">
    /// A spent coin is neither in the batch nor in the store, and the index started at genesis.
    /// </exception>
    public async Task<DeltaBatch> ResolveAsync(IReadOnlyList<ScannedBlock> blocks, CoinLookup lookup, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(lookup);
        for (var i = 1; i < blocks.Count; i++)
        {
            if (blocks[i].Height != blocks[i - 1].Height + 1 || blocks[i].ParentHash != blocks[i - 1].Hash)
            {
                throw new ArgumentException(
                    $"block {blocks[i].Height} {blocks[i].Hash} does not follow block {blocks[i - 1].Height} {blocks[i - 1].Hash}", nameof(blocks));
            }
        }

        // Pass 1: what the batch resolves itself, and what it must ask the store.
        var inBatch = new Dictionary<OutPoint, StoredCoin>();
        var fromMemory = new StoredCoin?[blocks.Count][];
        var overwrittenFromMemory = new StoredCoin?[blocks.Count][];
        var toFetch = new HashSet<OutPoint>(blocks.Sum(b => b.Spends.Count));
        for (var b = 0; b < blocks.Count; b++)
        {
            var block = blocks[b];
            var resolved = fromMemory[b] = inBatch.Count == 0 ? [] : new StoredCoin?[block.Spends.Count];
            for (var i = 0; i < block.Spends.Count; i++)
            {
                var outPoint = block.Spends[i].OutPoint;
                if (inBatch.Count > 0 && inBatch.Remove(outPoint, out var coin))
                {
                    resolved[i] = coin;
                }
                else
                {
                    toFetch.Add(outPoint);
                }
            }
            var overwritten = overwrittenFromMemory[b] = new StoredCoin?[block.Bip30Overwrites.Length];
            for (var i = 0; i < block.Bip30Overwrites.Length; i++)
            {
                if (inBatch.Remove(block.Bip30Overwrites[i], out var coin))
                {
                    overwritten[i] = coin;
                }
                else
                {
                    toFetch.Add(block.Bip30Overwrites[i]);
                }
            }
            if (b < blocks.Count - 1)
            {
                foreach (var coin in block.Created)
                {
                    inBatch[coin.OutPoint] = coin; // later blocks of the batch may spend it
                }
            }
        }

        var stored = new Dictionary<OutPoint, StoredCoin>(toFetch.Count);
        if (toFetch.Count > 0)
        {
            foreach (var coin in await lookup(toFetch, cancellationToken).ConfigureAwait(false))
            {
                stored[coin.OutPoint] = coin;
            }
        }

        // Pass 2: the deltas.
        var deltas = new BlockDelta[blocks.Count];
        var skipped = 0;
        for (var b = 0; b < blocks.Count; b++)
        {
            var block = blocks[b];
            var spent = new List<StoredCoin>(block.Spends.Count + block.Bip30Overwrites.Length);
            // The scanned block stays untouched (a batch may be resolved again after a failed write).
            List<BlockHistoryEntry>? history = null;
            HashSet<(ulong, int)>? spendSeen = null;
            if (block.History is { } scannedHistory)
            {
                history = new List<BlockHistoryEntry>(scannedHistory.Count + block.Spends.Count);
                history.AddRange(scannedHistory);
                spendSeen = new HashSet<(ulong, int)>(block.Spends.Count);
            }
            for (var i = 0; i < block.Spends.Count; i++)
            {
                var (outPoint, position) = block.Spends[i];
                StoredCoin coin;
                if (fromMemory[b].Length > 0 && fromMemory[b][i] is { } known)
                {
                    coin = known;
                }
                else if (stored.Remove(outPoint, out var found))
                {
                    coin = found;
                }
                else if (StartHeight > 0 || MissingCoinsAllowed)
                {
                    skipped++;
                    continue;
                }
                else
                {
                    throw new StoreConsistencyException(
                        $"block {block.Height} {block.Hash} (transaction {block.TxIds[position]}) spends {outPoint}, which is not in the index's UTXO set: " +
                        "the index does not match the chain; rewind or reset it",
                        outPoint);
                }
                spent.Add(coin);
                if (history is not null && !block.HistorySeen!.Contains((coin.ScripthashKey, position)) && spendSeen!.Add((coin.ScripthashKey, position)))
                {
                    history.Add(new BlockHistoryEntry(coin.ScripthashKey, position, block.TxIds[position]));
                }
            }
            for (var i = 0; i < block.Bip30Overwrites.Length; i++)
            {
                if (overwrittenFromMemory[b][i] is { } known)
                {
                    spent.Add(known);
                }
                else if (stored.Remove(block.Bip30Overwrites[i], out var found))
                {
                    spent.Add(found);
                }
            }
            deltas[b] = new BlockDelta(block.Height, block.Hash, block.Header, spent, block.Created)
            {
                TxIds = Mode == IndexMode.Full ? block.TxIds : [],
                History = history ?? (IReadOnlyList<BlockHistoryEntry>)[],
                TouchedKeys = block.SameBlockKeys,
            };
        }
        return new DeltaBatch(deltas, skipped, toFetch.Count);
    }

    /// <summary>Scans and resolves one block: <see cref="Scan"/> then <see cref="ResolveAsync"/>.</summary>
    public async Task<BlockDelta> BuildAsync(ReadOnlyMemory<byte> block, int height, CoinLookup lookup, CancellationToken cancellationToken = default)
    {
        var scanned = Scan(block.Span, height);
        var batch = await ResolveAsync([scanned], lookup, cancellationToken).ConfigureAwait(false);
        return batch.Deltas[0];
    }

    private static void AddHistory(List<BlockHistoryEntry>? history, HashSet<(ulong, int)>? seen, ulong key, int position, Hash256 txId)
    {
        if (history is not null && seen!.Add((key, position)))
        {
            history.Add(new BlockHistoryEntry(key, position, txId));
        }
    }
}
