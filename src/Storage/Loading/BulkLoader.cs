using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Snapshots;
using Coinshard.Chain.Transactions;
using Coinshard.Storage.Internal;
using Coinshard.Storage.Loading;

namespace Coinshard.Storage;

/// <summary>
/// Loads a whole UTXO set (a <c>dumptxoutset</c> snapshot) into an empty utxo-mode currency; made by
/// <see cref="ChainStore.BeginBulkLoadAsync"/>. Add coins in ascending (txid, vout) order — the order
/// of the snapshot file — in batches of tens of thousands, the headers from some height up to the base
/// block, then complete. Every call is one transaction under the lease.
/// </summary>
/// <remarks>
/// Until <see cref="CompleteAsync"/> commits, the currency records "loading" and the store serves
/// nothing (reads raise <see cref="StoreLoadingException"/>); a load interrupted at any point is never
/// resumed or half-served: after a restart, <see cref="ChainStore.GetBulkLoadStatusAsync"/> reports it and
/// <see cref="ChainStore.AbortBulkLoadAsync"/> discards it. Not thread-safe: one caller adds batches
/// (a parser may fill the next batch on another thread meanwhile).
/// </remarks>
public sealed class BulkLoader
{
    private readonly ChainStore _store;
    private readonly EncodedCoins _rows = new();
    private readonly List<uint> _groupVouts = [];
    private OutPoint? _last;
    private long _groupPrefix = long.MinValue;
    private Hash256 _groupTxId;
    private int? _firstHeaderHeight;
    private int _lastHeaderHeight = -1;
    private Hash256 _lastHeaderHash;
    private bool _finished;

    internal BulkLoader(ChainStore store, BulkLoadTarget target, LeaseToken lease)
    {
        _store = store;
        Target = target;
        Lease = lease;
    }

    /// <summary>What this load loads.</summary>
    public BulkLoadTarget Target { get; }

    /// <summary>The lease every write of the load is checked against (renew it meanwhile; a lost lease stops the load).</summary>
    public LeaseToken Lease { get; set; }

    /// <summary>Coins written so far.</summary>
    public long CoinsAdded { get; private set; }

    /// <summary>Headers written so far.</summary>
    public int HeadersAdded { get; private set; }

    /// <summary>
    /// Writes a batch of coins in one transaction. Coins must come in strictly ascending chainstate (txid, vout)
    /// order across all batches, with values of at least the dust limit and heights up to the base.
    /// </summary>
    /// <exception cref="ArgumentException">A coin is out of order, repeated, below the dust limit or above the base height; nothing of the batch is written.</exception>
    /// <exception cref="LeaseLostException">The lease is no longer held; nothing of the batch is written.</exception>
    public async Task AddAsync(ReadOnlyMemory<SnapshotCoin> coins, CancellationToken ct = default)
    {
        ThrowIfFinished();
        if (coins.IsEmpty)
        {
            return;
        }
        var saved = (_last, _groupPrefix, _groupTxId, Vouts: _groupVouts.ToArray());
        try
        {
            Encode(coins.Span);
            await _store.WriteLoadBatchAsync(this, _rows, ct).ConfigureAwait(false);
        }
        catch
        {
            // Nothing of the batch was committed: a retry or the next batch continues from the previous one.
            (_last, _groupPrefix, _groupTxId, _) = saved;
            _groupVouts.Clear();
            _groupVouts.AddRange(saved.Vouts);
            throw;
        }
        CoinsAdded += coins.Length;
    }

    /// <summary>
    /// Writes consecutive 80-byte headers starting at <paramref name="firstHeight"/> (the first call may
    /// start at any height; later calls continue where the previous one ended, each header linking to
    /// its predecessor). The last header of the load must be the base block's.
    /// </summary>
    /// <exception cref="ArgumentException">A header is not 80 bytes, does not link, is not consecutive or is above the base.</exception>
    public async Task AddHeadersAsync(int firstHeight, IReadOnlyList<byte[]> headers, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ThrowIfFinished();
        if (headers.Count == 0)
        {
            return;
        }
        ArgumentOutOfRangeException.ThrowIfNegative(firstHeight);
        if (_firstHeaderHeight is not null && firstHeight != _lastHeaderHeight + 1)
        {
            throw new ArgumentException($"headers must be consecutive: the next one is at height {_lastHeaderHeight + 1}, not {firstHeight}", nameof(firstHeight));
        }
        if ((long)firstHeight + headers.Count - 1 > Target.BaseHeight)
        {
            throw new ArgumentException(
                $"headers {firstHeight}..{firstHeight + headers.Count - 1} go past the snapshot base height {Target.BaseHeight}", nameof(headers));
        }
        var hashes = new Hash256[headers.Count];
        var previous = _firstHeaderHeight is null ? (Hash256?)null : _lastHeaderHash;
        for (var i = 0; i < headers.Count; i++)
        {
            var header = headers[i] ?? throw new ArgumentException($"header {firstHeight + i} is null", nameof(headers));
            if (header.Length != BlockDelta.HeaderSize)
            {
                throw new ArgumentException($"header {firstHeight + i} is {header.Length} bytes, not {BlockDelta.HeaderSize}", nameof(headers));
            }
            var parent = new Hash256(header.AsSpan(4, 32));
            if (previous is { } expected && parent != expected)
            {
                throw new ArgumentException($"header {firstHeight + i} has parent {parent}, but header {firstHeight + i - 1} is {expected}", nameof(headers));
            }
            hashes[i] = Hashes.DoubleSha256(header);
            previous = hashes[i];
        }
        await _store.WriteLoadHeadersAsync(this, firstHeight, headers, hashes, ct).ConfigureAwait(false);
        _firstHeaderHeight ??= firstHeight;
        _lastHeaderHeight = firstHeight + headers.Count - 1;
        _lastHeaderHash = hashes[^1];
        HeadersAdded += headers.Count;
    }

    /// <summary>
    /// Publishes the load in one transaction: builds the coin indexes, moves the headers into place,
    /// makes the base block the tip (no undo data at or below it) and records the load as complete.
    /// </summary>
    /// <param name="skippedCoins">Coins of the snapshot the caller left out (below the dust limit).</param>
    /// <param name="ct">Cancellation.</param>
    /// <exception cref="InvalidOperationException">
    /// The base header is missing, or added plus skipped coins differ from the snapshot's declared count;
    /// nothing was published and the load stays in progress (complete it properly or abort it).
    /// </exception>
    public async Task<BulkLoadStatus> CompleteAsync(long skippedCoins = 0, CancellationToken ct = default)
    {
        ThrowIfFinished();
        ArgumentOutOfRangeException.ThrowIfNegative(skippedCoins);
        if (skippedCoins > 0 && Target.DustLimit == 0)
        {
            throw new ArgumentException("coins were skipped although the load has no dust limit", nameof(skippedCoins));
        }
        if (_lastHeaderHeight != Target.BaseHeight || _lastHeaderHash != Target.BaseHash)
        {
            throw new InvalidOperationException(
                $"the headers must end with the base block {Target.BaseHeight} {Target.BaseHash}, but " +
                (_firstHeaderHeight is null ? "none were added" : $"the last one added is {_lastHeaderHeight} {_lastHeaderHash}") +
                "; nothing was published");
        }
        if (CoinsAdded + skippedCoins != Target.SnapshotCoins)
        {
            throw new InvalidOperationException(
                $"the snapshot declares {Target.SnapshotCoins:N0} coins, but {CoinsAdded:N0} were added and {skippedCoins:N0} skipped; nothing was published");
        }
        var status = await _store.PublishLoadAsync(this, skippedCoins, ct).ConfigureAwait(false);
        _finished = true;
        return status;
    }

    /// <summary>Discards everything this load wrote and records no load (the currency is empty again).</summary>
    public async Task AbortAsync(CancellationToken ct = default)
    {
        await _store.AbortBulkLoadAsync(Lease, ct).ConfigureAwait(false);
        _finished = true;
    }

    private void ThrowIfFinished() =>
        ObjectDisposedException.ThrowIf(_finished, this);

    /// <summary>Validates the batch against the order and limits, and routes each coin to its slot or the overflow table.</summary>
    private void Encode(ReadOnlySpan<SnapshotCoin> coins)
    {
        _rows.Reset(coins.Length);
        for (var i = 0; i < coins.Length; i++)
        {
            ref readonly var coin = ref coins[i];
            var outPoint = coin.OutPoint;
            // Chainstate order (LevelDB key order, as dumptxoutset writes): txid bytes, then VARINT(vout) bytes,
            // which is not numeric order for every vout (16512 sorts before 16511).
            if (_last is { } last && ChainstateOrder.Compare(outPoint, last) <= 0)
            {
                throw new ArgumentException(
                    $"snapshot coins must be added in strictly ascending chainstate order (txid, then VARINT(vout) bytes), as dumptxoutset writes them: {outPoint} comes after {last}");
            }
            if (coin.Value < Target.DustLimit || coin.Value < 0)
            {
                throw new ArgumentException($"coin {outPoint} has {coin.Value} sat, below the load's dust limit of {Target.DustLimit}");
            }
            if (coin.Height < 0 || coin.Height > Target.BaseHeight)
            {
                throw new ArgumentException($"coin {outPoint} has height {coin.Height}, outside 0..{Target.BaseHeight} (the snapshot base)");
            }
            _last = outPoint;
            var id = CoinRows.Id(outPoint.TxId, outPoint.Index);
            if (!CoinRows.FitsSlot(outPoint.Index))
            {
                AddOverflow(id, coin);
                continue;
            }
            // All txids sharing a 48-bit prefix arrive together (ascending order): within such a group a
            // second txid may need a slot an earlier one holds.
            var prefix = id & ~(long)CoinRows.MaxSlotVout;
            if (prefix != _groupPrefix)
            {
                _groupPrefix = prefix;
                _groupTxId = outPoint.TxId;
                _groupVouts.Clear();
            }
            else if (outPoint.TxId != _groupTxId && _groupVouts.Contains(outPoint.Index))
            {
                AddOverflow(id, coin);
                continue;
            }
            _groupVouts.Add(outPoint.Index);
            _rows.AddSlot(id, coin);
        }
    }

    private void AddOverflow(long id, in SnapshotCoin coin) =>
        _rows.Overflow.Add(new OverflowRow(
            id,
            CoinRows.Rest(coin.OutPoint.TxId),
            coin.OutPoint.Index,
            ScripthashKeys.ToColumn(coin.ScripthashKey),
            coin.Value,
            CoinRows.Meta(coin.Height, coin.IsCoinbase, -1)));
}
