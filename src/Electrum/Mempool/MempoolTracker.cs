using Coinshard.Backends;
using Coinshard.Chain;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Scripts;
using Coinshard.Chain.Transactions;
using Coinshard.Storage;

using Microsoft.Extensions.Logging;

namespace Coinshard.Electrum.Mempool;

/// <summary>What one refresh changed.</summary>
/// <param name="Added">Transactions newly tracked.</param>
/// <param name="Removed">Transactions that left the view (confirmed, evicted or replaced).</param>
/// <param name="Unresolved">Transactions whose inputs could not be resolved yet (retried next time).</param>
/// <param name="TouchedKeys">Scripthash keys whose mempool view changed: their status must be recomputed.</param>
public sealed record MempoolRefresh(int Added, int Removed, int Unresolved, IReadOnlyCollection<ulong> TouchedKeys);

/// <summary>
/// Follows a backend's mempool by polling: fetches new transactions, resolves what they spend from
/// the UTXO index and from each other, and publishes an immutable <see cref="MempoolSnapshot"/> per
/// refresh. One per currency; <see cref="RefreshAsync(CancellationToken)"/> must not run concurrently with itself.
/// </summary>
/// <remarks>
/// The snapshot is rebuilt from the tracked transactions on every refresh (cheap next to the RPC
/// calls), which makes confirmation, eviction, replacement and parents confirming before children
/// all the same case. Facts that never change (an outpoint's value and script key) are cached.
/// MWEB-only Litecoin transactions have no canonical inputs or outputs and are ignored.
/// </remarks>
public sealed class MempoolTracker
{
    /// <summary>Looks up unspent coins in the index (one batch).</summary>
    public delegate Task<IReadOnlyList<StoredCoin>> CoinLookup(IReadOnlyCollection<OutPoint> outPoints, CancellationToken cancellationToken);

    private const int FetchConcurrency = 8;

    // A departed transaction is kept at most this long even if the index tip never moves (a stalled index).
    private static readonly TimeSpan MaxRetention = TimeSpan.FromMinutes(10);

    private readonly Network _network;
    private readonly IMempoolSource _mempool;
    private readonly ITransactionSource _transactions;
    private readonly CoinLookup _lookup;
    private readonly ILogger _logger;
    private readonly Dictionary<Hash256, TrackedTx> _txs = [];
    private readonly HashSet<Hash256> _ignored = [];
    private readonly Dictionary<OutPoint, PrevOut> _prevOuts = [];
    private Dictionary<Hash256, bool> _lastFlags = [];
    private volatile MempoolSnapshot _current = MempoolSnapshot.Empty;

    /// <summary>Creates a tracker for <paramref name="network"/>.</summary>
    public MempoolTracker(Network network, IMempoolSource mempool, ITransactionSource transactions, CoinLookup lookup, ILogger logger)
    {
        _network = network ?? throw new ArgumentNullException(nameof(network));
        _mempool = mempool ?? throw new ArgumentNullException(nameof(mempool));
        _transactions = transactions ?? throw new ArgumentNullException(nameof(transactions));
        _lookup = lookup ?? throw new ArgumentNullException(nameof(lookup));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>The latest snapshot (safe from any thread).</summary>
    public MempoolSnapshot Current => _current;

    /// <summary>Polls the backend once and publishes a new snapshot; a transaction that left the mempool leaves the view at once.</summary>
    public Task<MempoolRefresh> RefreshAsync(CancellationToken cancellationToken = default) => RefreshAsync(null, cancellationToken);

    /// <summary>
    /// Polls the backend once and publishes a new snapshot. <paramref name="indexTip"/> is the index's tip hash read just
    /// before: a transaction that left the node's mempool while none of its outputs is in the index yet (mined in a block
    /// the index has not connected) stays in the view until the index tip moves, so that it never vanishes from a
    /// wallet's view in between. One that a present transaction conflicts with (replaced), or whose outputs the index
    /// already holds (confirmed and indexed), leaves at once. Null: every departure leaves at once.
    /// </summary>
    public async Task<MempoolRefresh> RefreshAsync(Hash256? indexTip, CancellationToken cancellationToken)
    {
        var entries = await _mempool.GetMempoolEntriesAsync(cancellationToken).ConfigureAwait(false);
        var present = new Dictionary<Hash256, MempoolEntry>(entries.Count);
        foreach (var entry in entries)
        {
            present[entry.Txid] = entry;
        }
        _ignored.IntersectWith(present.Keys);

        var added = await FetchNewAsync(present, cancellationToken).ConfigureAwait(false);
        foreach (var (txid, tracked) in _txs)
        {
            if (present.TryGetValue(txid, out var entry))
            {
                tracked.Entry = entry;
                tracked.DepartedAt = null; // back (a reorg returned it)
            }
        }

        var touched = new HashSet<ulong>();
        var removed = 0;
        foreach (var txid in await DepartingAsync(present, indexTip, cancellationToken).ConfigureAwait(false))
        {
            touched.UnionWith(_txs[txid].Keys ?? []);
            _txs.Remove(txid);
            removed++;
        }

        await ResolvePrevOutsAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = Build(touched, out var unresolved);
        _current = snapshot;
        return new MempoolRefresh(added, removed, unresolved, touched);
    }

    /// <summary>The tracked transactions absent from the node's mempool that leave the view now (see <see cref="RefreshAsync(Hash256?, CancellationToken)"/>).</summary>
    private async Task<HashSet<Hash256>> DepartingAsync(Dictionary<Hash256, MempoolEntry> present, Hash256? indexTip, CancellationToken cancellationToken)
    {
        var leaving = new HashSet<Hash256>();
        var candidates = new List<TrackedTx>();
        var now = DateTime.UtcNow;
        foreach (var tracked in _txs.Values)
        {
            if (present.ContainsKey(tracked.TxId))
            {
                continue;
            }
            if (indexTip is not { } tip)
            {
                leaving.Add(tracked.TxId);
            }
            else if (tracked.DepartedAt is null)
            {
                candidates.Add(tracked);
            }
            else if (tracked.DepartedAt != tip || now - tracked.DepartedSince > MaxRetention)
            {
                leaving.Add(tracked.TxId); // the index moved on: it holds the transaction now, or it was evicted
            }
        }
        if (candidates.Count == 0)
        {
            return leaving;
        }

        // Replaced: a present transaction spends one of its inputs; and so are its descendants.
        var spentByPresent = _txs.Values.Where(t => present.ContainsKey(t.TxId)).SelectMany(t => t.Tx.Inputs).Select(i => i.PrevOut).ToHashSet();
        var conflicted = new HashSet<Hash256>(candidates.Where(c => c.Tx.Inputs.Any(i => spentByPresent.Contains(i.PrevOut))).Select(c => c.TxId));
        for (var grew = conflicted.Count > 0; grew;)
        {
            grew = false;
            foreach (var c in candidates)
            {
                if (!conflicted.Contains(c.TxId) && c.Tx.Inputs.Any(i => conflicted.Contains(i.PrevOut.TxId)))
                {
                    grew = conflicted.Add(c.TxId) || grew;
                }
            }
        }
        leaving.UnionWith(conflicted);

        // Confirmed and already indexed: its outputs are in the index.
        var remaining = candidates.Where(c => !conflicted.Contains(c.TxId)).ToList();
        var outputs = remaining.SelectMany(c => Enumerable.Range(0, c.Tx.Outputs.Count)
            .Where(i => !ScriptClassifier.IsUnspendable(c.Tx.Outputs[i].ScriptPubKey.Span))
            .Select(i => new OutPoint(c.TxId, (uint)i))).ToHashSet();
        var indexed = outputs.Count == 0
            ? []
            : (await _lookup(outputs, cancellationToken).ConfigureAwait(false)).Select(c => c.OutPoint.TxId).ToHashSet();
        foreach (var c in remaining)
        {
            if (indexed.Contains(c.TxId))
            {
                leaving.Add(c.TxId);
            }
            else
            {
                c.DepartedAt = indexTip;
                c.DepartedSince = now;
            }
        }
        return leaving;
    }

    private async Task<int> FetchNewAsync(Dictionary<Hash256, MempoolEntry> present, CancellationToken cancellationToken)
    {
        var wanted = present.Keys.Where(t => !_txs.ContainsKey(t) && !_ignored.Contains(t)).ToList();
        if (wanted.Count == 0)
        {
            return 0;
        }
        var fetched = new (Hash256 TxId, byte[]? Raw)[wanted.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, wanted.Count),
            new ParallelOptions { MaxDegreeOfParallelism = FetchConcurrency, CancellationToken = cancellationToken },
            async (i, token) => fetched[i] = (wanted[i], await _transactions.GetTransactionAsync(wanted[i], cancellationToken: token).ConfigureAwait(false))).ConfigureAwait(false);

        var added = 0;
        foreach (var (txid, raw) in fetched)
        {
            if (raw is null)
            {
                continue; // left the mempool between the two calls
            }
            Transaction tx;
            try
            {
                tx = Transaction.Parse(raw, _network);
            }
            catch (ChainFormatException e)
            {
                _ignored.Add(txid);
                _logger.Unparsable(txid, e.Message);
                continue;
            }
            if (tx.Inputs.Count == 0 && tx.Outputs.Count == 0)
            {
                _ignored.Add(txid); // MWEB-only: nothing canonical to index
                continue;
            }
            _txs[txid] = new TrackedTx(txid, tx, present[txid]);
            added++;
        }
        return added;
    }

    private async Task ResolvePrevOutsAsync(CancellationToken cancellationToken)
    {
        var missing = new HashSet<OutPoint>();
        foreach (var tracked in _txs.Values)
        {
            foreach (var input in tracked.Tx.Inputs)
            {
                if (!_txs.ContainsKey(input.PrevOut.TxId) && !_prevOuts.ContainsKey(input.PrevOut))
                {
                    missing.Add(input.PrevOut);
                }
            }
        }
        if (missing.Count > 0)
        {
            foreach (var coin in await _lookup(missing, cancellationToken).ConfigureAwait(false))
            {
                _prevOuts[coin.OutPoint] = new PrevOut(coin.ScripthashKey, coin.Value);
            }
        }

        // Keep only what current transactions still refer to.
        var referenced = _txs.Values.SelectMany(t => t.Tx.Inputs).Select(i => i.PrevOut).ToHashSet();
        foreach (var outPoint in _prevOuts.Keys.Where(o => !referenced.Contains(o)).ToList())
        {
            _prevOuts.Remove(outPoint);
        }
    }

    private MempoolSnapshot Build(HashSet<ulong> touched, out int unresolved)
    {
        var funded = new Dictionary<ulong, List<MempoolCoin>>();
        var spent = new Dictionary<ulong, List<MempoolCoin>>();
        var txsByKey = new Dictionary<ulong, List<MempoolTxEntry>>();
        var spentOutPoints = new HashSet<OutPoint>();
        var flags = new Dictionary<Hash256, bool>(_txs.Count);
        var histogram = new List<(double Rate, long VSize)>(_txs.Count);
        long totalVSize = 0;
        unresolved = 0;

        foreach (var tracked in _txs.Values)
        {
            if (!TryResolve(tracked, out var inputs, out var hasUnconfirmed))
            {
                unresolved++;
                continue;
            }
            var keys = new HashSet<ulong>();
            for (var i = 0; i < tracked.Tx.Outputs.Count; i++)
            {
                var output = tracked.Tx.Outputs[i];
                if (ScriptClassifier.IsUnspendable(output.ScriptPubKey.Span))
                {
                    continue;
                }
                var key = tracked.OutputKeys[i];
                Add(funded, key, new MempoolCoin(new OutPoint(tracked.TxId, (uint)i), output.Value));
                keys.Add(key);
            }
            foreach (var (outPoint, prevOut) in inputs)
            {
                Add(spent, prevOut.Key, new MempoolCoin(outPoint, prevOut.Value, tracked.TxId));
                spentOutPoints.Add(outPoint);
                keys.Add(prevOut.Key);
            }

            var entry = new MempoolTxEntry(tracked.TxId, tracked.Entry.Fee, hasUnconfirmed);
            foreach (var key in keys)
            {
                Add(txsByKey, key, entry);
            }

            // A transaction newly resolved, or whose parent confirmed, changes its keys' status.
            if (tracked.Keys is null || !_lastFlags.TryGetValue(tracked.TxId, out var before) || before != hasUnconfirmed)
            {
                touched.UnionWith(keys);
            }
            tracked.Keys = keys;
            flags[tracked.TxId] = hasUnconfirmed;
            histogram.Add((tracked.Entry.VSize == 0 ? 0 : (double)tracked.Entry.Fee / tracked.Entry.VSize, tracked.Entry.VSize));
            totalVSize += tracked.Entry.VSize;
        }
        _lastFlags = flags;

        var byKey = new Dictionary<ulong, ScripthashMempool>(txsByKey.Count);
        foreach (var (key, entries) in txsByKey)
        {
            entries.Sort(CanonicalOrder);
            byKey[key] = new ScripthashMempool(entries, funded.GetValueOrDefault(key) ?? [], spent.GetValueOrDefault(key) ?? []);
        }
        return new MempoolSnapshot(byKey, spentOutPoints, flags.Count, totalVSize, FeeHistogramBuilder.Build(histogram));
    }

    private bool TryResolve(TrackedTx tracked, out List<(OutPoint, PrevOut)> inputs, out bool hasUnconfirmed)
    {
        inputs = new List<(OutPoint, PrevOut)>(tracked.Tx.Inputs.Count);
        hasUnconfirmed = false;
        foreach (var input in tracked.Tx.Inputs)
        {
            var outPoint = input.PrevOut;
            if (_txs.TryGetValue(outPoint.TxId, out var parent))
            {
                hasUnconfirmed = true;
                if (outPoint.Index >= parent.Tx.Outputs.Count)
                {
                    return false;
                }
                var output = parent.Tx.Outputs[(int)outPoint.Index];
                inputs.Add((outPoint, new PrevOut(parent.OutputKeys[(int)outPoint.Index], output.Value)));
            }
            else if (_prevOuts.TryGetValue(outPoint, out var prevOut))
            {
                inputs.Add((outPoint, prevOut));
            }
            else
            {
                return false; // not indexed yet (the block creating it is still being connected)
            }
        }
        return true;
    }

    /// <summary>The protocol's mempool order: height 0 before -1, then txid compared as display hex.</summary>
    internal static int CanonicalOrder(MempoolTxEntry x, MempoolTxEntry y)
    {
        var c = x.HasUnconfirmedInputs.CompareTo(y.HasUnconfirmedInputs);
        return c != 0 ? c : x.TxId.CompareDisplayOrder(y.TxId);
    }

    private static void Add<T>(Dictionary<ulong, List<T>> map, ulong key, T item)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }
        list.Add(item);
    }

    private readonly record struct PrevOut(ulong Key, long Value);

    private sealed class TrackedTx(Hash256 txId, Transaction tx, MempoolEntry entry)
    {
        public Hash256 TxId { get; } = txId;

        public Transaction Tx { get; } = tx;

        public MempoolEntry Entry { get; set; } = entry;

        /// <summary>Script keys of the outputs, computed once.</summary>
        public ulong[] OutputKeys { get; } = [.. tx.Outputs.Select(o => ScripthashKeys.Of(ElectrumScripthash.Compute(o.ScriptPubKey.Span)))];

        /// <summary>Keys touched when last built; null until first resolved.</summary>
        public HashSet<ulong>? Keys { get; set; }

        /// <summary>The index tip when it left the node's mempool unindexed (kept in the view until the tip moves); null while present.</summary>
        public Hash256? DepartedAt { get; set; }

        /// <summary>When it left the node's mempool (bounds how long it is kept).</summary>
        public DateTime DepartedSince { get; set; }
    }
}
