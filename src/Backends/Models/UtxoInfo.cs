using Coinshard.Chain.Hashing;

namespace Coinshard.Backends;

/// <summary>One unspent output as the backend sees it (Core: <c>gettxout</c>).</summary>
/// <param name="Txid">Transaction id.</param>
/// <param name="Vout">Output index.</param>
/// <param name="Amount">Value in satoshis.</param>
/// <param name="ScriptPubKey">The output script.</param>
/// <param name="Height">Height of the block that created the output; null while it is only in the mempool.</param>
/// <param name="Confirmations">Confirmations at <paramref name="BestBlock"/>; 0 for a mempool output.</param>
/// <param name="IsCoinbase">True for a coinbase output (spendable only after maturity).</param>
/// <param name="BestBlock">The tip the answer refers to.</param>
public sealed record UtxoInfo(
    Hash256 Txid,
    int Vout,
    long Amount,
    byte[] ScriptPubKey,
    int? Height,
    int Confirmations,
    bool IsCoinbase,
    Hash256 BestBlock);

/// <summary>The outcome of checking a counterparty's claim about a UTXO.</summary>
public enum UtxoVerificationStatus
{
    /// <summary>The output exists, is unspent, and matches the expected script (and height, when a hint was given).</summary>
    Verified,

    /// <summary>The output does not exist or is already spent.</summary>
    NotFound,

    /// <summary>The output exists but pays another script than claimed.</summary>
    ScriptMismatch,

    /// <summary>The output exists with the claimed script but was created at another height than the hint.</summary>
    HeightMismatch,

    /// <summary>The output exists with the claimed script but is not confirmed yet.</summary>
    Unconfirmed,
}

/// <summary>The result of <see cref="IUtxoSource.VerifyUtxoAsync"/>: a status, and the output when it exists.</summary>
/// <param name="Status">What was found.</param>
/// <param name="Utxo">The output as the backend sees it, when it exists unspent.</param>
public sealed record UtxoVerification(UtxoVerificationStatus Status, UtxoInfo? Utxo)
{
    /// <summary>True when the claim holds.</summary>
    public bool IsVerified => Status == UtxoVerificationStatus.Verified;
}
