using Coinshard.Chain.Hashing;
using Coinshard.Chain.Transactions;

namespace Coinshard.Electrum.Mempool;

/// <summary>A mempool transaction as Electrum reports it for a scripthash.</summary>
/// <param name="TxId">Transaction id.</param>
/// <param name="Fee">Fee in satoshis.</param>
/// <param name="HasUnconfirmedInputs">True when it spends an output of another mempool transaction.</param>
public sealed record MempoolTxEntry(Hash256 TxId, long Fee, bool HasUnconfirmedInputs)
{
    /// <summary>Electrum's mempool "height": -1 with unconfirmed inputs, else 0.</summary>
    public int Height => HasUnconfirmedInputs ? -1 : 0;
}

/// <summary>An output paid to, or spent from, a scripthash by a mempool transaction.</summary>
/// <param name="OutPoint">The output.</param>
/// <param name="Value">Its value in satoshis.</param>
/// <param name="SpentBy">For a spent coin, the mempool transaction spending it (default for a funded one).</param>
public readonly record struct MempoolCoin(OutPoint OutPoint, long Value, Hash256 SpentBy = default);

/// <summary>What the mempool does to one scripthash.</summary>
/// <param name="Transactions">Transactions touching it, in the protocol's canonical order (height 0 before -1, then txid as display hex).</param>
/// <param name="Funded">Outputs paid to it by mempool transactions.</param>
/// <param name="Spent">Its coins (confirmed or unconfirmed) spent by mempool transactions.</param>
public sealed record ScripthashMempool(IReadOnlyList<MempoolTxEntry> Transactions, IReadOnlyList<MempoolCoin> Funded, IReadOnlyList<MempoolCoin> Spent)
{
    /// <summary>Electrum's unconfirmed balance: funded minus spent (may be negative).</summary>
    public long BalanceDelta => Funded.Sum(c => c.Value) - Spent.Sum(c => c.Value);
}

/// <summary>One point of the fee histogram: vsize of transactions paying at least this rate.</summary>
/// <param name="SatoshisPerVByte">Fee rate (lower bound of the bin).</param>
/// <param name="VSize">Virtual bytes in the bin.</param>
public readonly record struct FeeHistogramBin(double SatoshisPerVByte, long VSize);

/// <summary>An immutable view of the tracked mempool; replaced as a whole after each refresh.</summary>
public sealed class MempoolSnapshot
{
    private readonly IReadOnlyDictionary<ulong, ScripthashMempool> _byKey;
    private readonly IReadOnlySet<OutPoint> _spent;

    internal MempoolSnapshot(IReadOnlyDictionary<ulong, ScripthashMempool> byKey, IReadOnlySet<OutPoint> spent, int count, long vsize, IReadOnlyList<FeeHistogramBin> histogram)
    {
        _byKey = byKey;
        _spent = spent;
        Count = count;
        VSize = vsize;
        FeeHistogram = histogram;
    }

    /// <summary>The empty mempool.</summary>
    public static MempoolSnapshot Empty { get; } = new(new Dictionary<ulong, ScripthashMempool>(), new HashSet<OutPoint>(), 0, 0, []);

    /// <summary>Transactions tracked (those whose inputs could be resolved).</summary>
    public int Count { get; }

    /// <summary>Their total virtual size.</summary>
    public long VSize { get; }

    /// <summary>Electrum's <c>mempool.get_fee_histogram</c>: bins from the highest rate down.</summary>
    public IReadOnlyList<FeeHistogramBin> FeeHistogram { get; }

    /// <summary>The mempool activity of a scripthash key (<see cref="Storage.ScripthashKeys"/>), or null when none.</summary>
    public ScripthashMempool? Get(ulong scripthashKey) => _byKey.GetValueOrDefault(scripthashKey);

    /// <summary>True when a mempool transaction spends <paramref name="outPoint"/> (listunspent leaves it out).</summary>
    public bool IsSpent(OutPoint outPoint) => _spent.Contains(outPoint);
}
