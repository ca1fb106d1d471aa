using Coinshard.Chain.Hashing;

namespace Coinshard.TestSupport.Chains;

/// <summary>One block the builder made.</summary>
/// <param name="Height">Its height.</param>
/// <param name="Hash">Its hash.</param>
/// <param name="Transactions">Transactions, coinbase included.</param>
/// <param name="Inputs">Inputs of the non-coinbase transactions.</param>
/// <param name="Outputs">Outputs of all transactions, OP_RETURN ones (and the witness commitment) included.</param>
/// <param name="Weight">BIP141 block weight.</param>
/// <param name="Size">Serialized size in bytes.</param>
public sealed record RegtestBlockInfo(int Height, Hash256 Hash, int Transactions, int Inputs, int Outputs, long Weight, int Size);

/// <summary>A block the builder made, with its serialization (what <c>submitblock</c> gets).</summary>
public sealed record BuiltBlock(RegtestBlockInfo Info, byte[] Bytes);

/// <summary>
/// What <see cref="RegtestChainBuilder"/> built, from its own UTXO model: every block, the totals, and the
/// UTXO set the node must report (<c>gettxoutsetinfo</c>'s <c>txouts</c> and <c>total_amount</c>).
/// </summary>
public sealed record RegtestChain
{
    /// <summary>The options it was built from.</summary>
    public required RegtestChainOptions Options { get; init; }

    /// <summary>Blocks 1..tip in height order (genesis is the network's).</summary>
    public required IReadOnlyList<RegtestBlockInfo> Blocks { get; init; }

    /// <summary>Unspent outputs at the tip, OP_RETURN outputs and the genesis coinbase excluded (Core's <c>txouts</c>).</summary>
    public required long UtxoCount { get; init; }

    /// <summary>Their value in satoshis (Core's <c>total_amount</c>).</summary>
    public required long UtxoAmount { get; init; }

    /// <summary>Distinct output scripts paid (so distinct Electrum script hashes).</summary>
    public required long DistinctScripts { get; init; }

    /// <summary>Outputs by script type name (p2wpkh, p2pkh, p2sh, p2tr, p2wsh, nulldata).</summary>
    public required IReadOnlyDictionary<string, long> OutputsByType { get; init; }

    /// <summary>Time spent making the blocks (CPU side: transactions, merkle roots, scrypt proof of work).</summary>
    public TimeSpan GenerateTime { get; init; }

    /// <summary>Wall time of <see cref="RegtestChainBuilder.BuildAsync"/> (generation overlapped with submission); zero after <see cref="RegtestChainBuilder.Generate"/>.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Height of the tip.</summary>
    public int Height => Blocks.Count == 0 ? 0 : Blocks[^1].Height;

    /// <summary>Hash of the tip.</summary>
    public Hash256 TipHash => Blocks.Count == 0 ? Coinshard.Chain.Networks.Network.LitecoinRegtest.GenesisHash : Blocks[^1].Hash;

    /// <summary>Transactions in blocks 1..tip, coinbases included.</summary>
    public long Transactions => Blocks.Sum(b => (long)b.Transactions);

    /// <summary>Inputs in blocks 1..tip (coinbase inputs not counted).</summary>
    public long Inputs => Blocks.Sum(b => (long)b.Inputs);

    /// <summary>Outputs in blocks 1..tip, OP_RETURN ones included.</summary>
    public long Outputs => Blocks.Sum(b => (long)b.Outputs);
}
