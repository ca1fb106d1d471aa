using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Transactions;

namespace Coinshard.Storage.Tests.Infrastructure;

/// <summary>
/// An in-memory model of what the store must hold, and a generator of random blocks over it.
/// Blocks have real headers (linked by parent hash, hashed with double SHA-256), a coinbase, and
/// transactions that spend older coins and outputs created earlier in the same block (those appear in
/// neither the spent nor the created list, only in history), over a small set of scripthashes so that
/// balances and histories aggregate. Every value the store returns is compared with this model.
/// </summary>
internal sealed class ChainModel
{
    private readonly Random _random;
    private readonly List<Block> _blocks = [];
    private readonly int _undoDepth;
    private readonly SortedSet<int> _undoHeights = [];

    private ChainTip? _base;

    public ChainModel(int seed, int scripthashCount = 12, int undoDepth = 1000, int firstHeight = 0)
    {
        Seed = seed;
        _random = new Random(seed);
        _undoDepth = undoDepth;
        FirstHeight = firstHeight;
        Scripthashes = Enumerable.Range(0, scripthashCount).Select(_ => RandomHash()).ToArray();
    }

    public sealed record Block(BlockDelta Delta, IReadOnlyList<BlockHistoryEntry> History);

    public int Seed { get; }

    public int FirstHeight { get; }

    public IReadOnlyList<Hash256> Scripthashes { get; }

    public Dictionary<OutPoint, StoredCoin> Coins { get; } = [];

    public IReadOnlyList<Block> Blocks => _blocks;

    public ChainTip? Tip => _blocks.Count == 0 ? _base : new ChainTip(_blocks[^1].Delta.Height, _blocks[^1].Delta.Hash);

    /// <summary>Starts the model from a loaded snapshot: its base block is the tip, its coins the UTXO set, no undo.</summary>
    public void LoadSnapshot(ChainTip baseTip, IEnumerable<StoredCoin> coins)
    {
        _base = baseTip;
        foreach (var coin in coins)
        {
            Coins.Add(coin.OutPoint, coin);
        }
    }

    public UndoWindow? UndoWindow => _undoHeights.Count == 0 ? null : new UndoWindow(_undoHeights.Min, _undoHeights.Max);

    /// <summary>Makes the next block on the model's tip (not applied until <see cref="Apply"/>).</summary>
    public BlockDelta NextBlock(int maxTransactions = 6, int maxInputs = 3, int maxOutputs = 3)
    {
        var height = Tip is { } tip ? tip.Height + 1 : FirstHeight;
        var parent = Tip?.Hash ?? Hash256.Zero;
        var header = new byte[80];
        _random.NextBytes(header);
        header[0] = 4;
        header[1] = header[2] = header[3] = 0;
        parent.CopyTo(header.AsSpan(4, 32));
        var hash = Hashes.DoubleSha256(header);

        var available = Coins.Values.OrderBy(c => c.OutPoint.TxId).ThenBy(c => c.OutPoint.Index).ToList();
        var spent = new List<StoredCoin>();
        var createdInBlock = new List<StoredCoin>();
        var spentInBlock = new HashSet<OutPoint>();
        var txids = new List<Hash256>();
        var history = new List<BlockHistoryEntry>();
        var transactions = 1 + _random.Next(maxTransactions);
        for (var txPos = 0; txPos < transactions; txPos++)
        {
            var txid = RandomHash();
            txids.Add(txid);
            var keys = new HashSet<ulong>();
            if (txPos > 0)
            {
                var inputs = 1 + _random.Next(maxInputs);
                for (var i = 0; i < inputs; i++)
                {
                    // Prefer older coins; sometimes spend an output created earlier in this block.
                    var fromBlock = createdInBlock.Where(c => !spentInBlock.Contains(c.OutPoint)).ToList();
                    StoredCoin coin;
                    if (fromBlock.Count > 0 && _random.Next(4) == 0)
                    {
                        coin = fromBlock[_random.Next(fromBlock.Count)];
                    }
                    else if (available.Count > 0)
                    {
                        var index = _random.Next(available.Count);
                        coin = available[index];
                        available.RemoveAt(index);
                        spent.Add(coin);
                    }
                    else
                    {
                        continue;
                    }
                    spentInBlock.Add(coin.OutPoint);
                    keys.Add(coin.ScripthashKey);
                }
            }
            var outputs = 1 + _random.Next(maxOutputs);
            for (var vout = 0; vout < outputs; vout++)
            {
                var key = ScripthashKeys.Of(Scripthashes[_random.Next(Scripthashes.Count)]);
                var value = _random.Next(4) == 0 ? 0 : _random.NextInt64(1, 5_000_000_000);
                createdInBlock.Add(new StoredCoin(new OutPoint(txid, (uint)vout), key, value, height, txPos == 0, txPos));
                keys.Add(key);
            }
            foreach (var key in keys)
            {
                history.Add(new BlockHistoryEntry(key, txPos, txid));
            }
        }
        var created = createdInBlock.Where(c => !spentInBlock.Contains(c.OutPoint)).ToList();
        return new BlockDelta(height, hash, header, spent, created) { TxIds = txids, History = history };
    }

    /// <summary>Records a block the store accepted.</summary>
    public void Apply(BlockDelta delta)
    {
        foreach (var coin in delta.Spent)
        {
            Coins.Remove(coin.OutPoint);
        }
        foreach (var coin in delta.Created)
        {
            Coins.Add(coin.OutPoint, coin);
        }
        _blocks.Add(new Block(delta, delta.History));
        _undoHeights.Add(delta.Height);
        _undoHeights.RemoveWhere(h => h <= delta.Height - _undoDepth);
    }

    /// <summary>Reverts the tip block.</summary>
    public Block Disconnect()
    {
        var block = _blocks[^1];
        _blocks.RemoveAt(_blocks.Count - 1);
        foreach (var coin in block.Delta.Created)
        {
            Coins.Remove(coin.OutPoint);
        }
        foreach (var coin in block.Delta.Spent)
        {
            Coins.Add(coin.OutPoint, coin);
        }
        _undoHeights.Remove(block.Delta.Height);
        return block;
    }

    public bool TipHasUndo => _blocks.Count > 0 && _undoHeights.Contains(_blocks[^1].Delta.Height);

    /// <summary>A block on the tip with exactly these coins (for hand-made cases such as txid collisions).</summary>
    public BlockDelta MakeBlock(IReadOnlyList<StoredCoin> spent, IReadOnlyList<StoredCoin> created)
    {
        var height = Tip is { } tip ? tip.Height + 1 : FirstHeight;
        var header = new byte[80];
        _random.NextBytes(header);
        (Tip?.Hash ?? Hash256.Zero).CopyTo(header.AsSpan(4, 32));
        return new BlockDelta(height, Hashes.DoubleSha256(header), header, spent, created);
    }

    public List<StoredCoin> CoinsOf(Hash256 scripthash) =>
        [.. Coins.Values
            .Where(c => c.ScripthashKey == ScripthashKeys.Of(scripthash))
            .OrderBy(c => c.Height).ThenBy(c => c.TxPos).ThenBy(c => c.OutPoint.TxId).ThenBy(c => c.OutPoint.Index)];

    public List<HistoryItem> HistoryOf(Hash256 scripthash) =>
        [.. _blocks
            .SelectMany(b => b.History.Where(h => h.ScripthashKey == ScripthashKeys.Of(scripthash))
                .Select(h => new HistoryItem(b.Delta.Height, h.TxPos, h.TxId)))
            .Distinct()
            .OrderBy(h => h.Height).ThenBy(h => h.TxPos)];

    public Hash256 RandomHash()
    {
        var bytes = new byte[32];
        _random.NextBytes(bytes);
        return new Hash256(bytes);
    }

    public int Next(int max) => _random.Next(max);
}
