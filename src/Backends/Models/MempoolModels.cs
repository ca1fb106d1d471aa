using Coinshard.Chain.Hashing;

namespace Coinshard.Backends;

/// <summary>One mempool transaction with what fee histograms and wallets need.</summary>
/// <param name="Txid">Transaction id.</param>
/// <param name="Fee">Fee paid in satoshis (the base fee, not a prioritised one).</param>
/// <param name="VSize">Virtual size in vbytes.</param>
/// <param name="Weight">Weight units, when the node reports them.</param>
/// <param name="Time">When the transaction entered the mempool.</param>
/// <param name="Height">Chain height when it entered.</param>
/// <param name="Depends">Unconfirmed parents in the mempool (transactions it spends from).</param>
public sealed record MempoolEntry(
    Hash256 Txid,
    long Fee,
    int VSize,
    int? Weight,
    DateTimeOffset Time,
    int Height,
    IReadOnlyList<Hash256> Depends)
{
    /// <summary>The entry's own fee rate (fee / vsize).</summary>
    public FeeRate FeeRate => new(VSize == 0 ? 0 : Fee * 1000 / VSize);
}

/// <summary>The node's mempool figures (Core: <c>getmempoolinfo</c>).</summary>
/// <param name="Loaded">False while the node is still loading its saved mempool.</param>
/// <param name="Size">Number of transactions.</param>
/// <param name="Bytes">Sum of virtual sizes.</param>
/// <param name="Usage">Memory used, in bytes.</param>
/// <param name="MaxMempool">Configured maximum memory, in bytes.</param>
/// <param name="MempoolMinFee">Minimum fee rate to enter the mempool now (rises when it is full).</param>
/// <param name="MinRelayTxFee">The node's configured minimum relay fee rate.</param>
public sealed record MempoolInfo(bool Loaded, int Size, long Bytes, long Usage, long MaxMempool, FeeRate MempoolMinFee, FeeRate MinRelayTxFee)
{
    /// <summary>The fee rate a replacement must add over the replaced transactions (Core's incremental relay fee).</summary>
    public FeeRate IncrementalRelayFee { get; init; }
}

/// <summary>How cautious a fee estimate should be (Core's <c>estimate_mode</c>).</summary>
public enum FeeEstimateMode
{
    /// <summary>The backend's default.</summary>
    Default,

    /// <summary>Reacts quickly to falling fees; may underpay in a rising market.</summary>
    Economical,

    /// <summary>Uses a longer history; less likely to underpay.</summary>
    Conservative,
}

/// <summary>A fee estimate: the rate, and the confirmation target it is valid for.</summary>
/// <param name="Rate">The estimated rate.</param>
/// <param name="Blocks">The target (in blocks) at which the estimate was found; may exceed the requested one.</param>
public sealed record FeeEstimate(FeeRate Rate, int Blocks);

/// <summary>Totals of the node's whole UTXO set (Core: <c>gettxoutsetinfo</c> without hashing), for differential tests.</summary>
/// <param name="Height">Height of the tip the figures refer to.</param>
/// <param name="BestBlock">Hash of that tip.</param>
/// <param name="Transactions">Transactions with unspent outputs, when the node reports it.</param>
/// <param name="TxOuts">Number of unspent outputs.</param>
/// <param name="BogoSize">Core's database-independent size measure.</param>
/// <param name="TotalAmount">Sum of all unspent outputs in satoshis.</param>
public sealed record UtxoSetInfo(int Height, Hash256 BestBlock, long? Transactions, long TxOuts, long BogoSize, long TotalAmount);
