namespace Coinshard.Backends;

/// <summary>
/// The node refused a transaction. <see cref="Reason"/> is the node's reject reason (e.g.
/// <c>txn-mempool-conflict</c>); subtypes name the cases callers act on.
/// </summary>
public class TransactionRejectedException : RpcException
{
    /// <summary>Creates the exception from the node's error.</summary>
    public TransactionRejectedException(string method, int code, string reason)
        : this(method, code, reason, "transaction rejected")
    {
    }

    /// <summary>Creates the exception with the subtype's summary in front of the node's reason.</summary>
    protected TransactionRejectedException(string method, int code, string reason, string summary)
        : base(method, code, reason, $"{summary}: {reason} (RPC error {code})")
    {
    }

    /// <summary>The node's reject reason, unchanged.</summary>
    public string Reason => RpcMessage;
}

/// <summary>
/// An input is unknown or already spent in the chain (Core: <c>bad-txns-inputs-missingorspent</c>,
/// <c>Missing inputs</c>). A double spend of a confirmed coin ends here.
/// </summary>
public sealed class TransactionMissingInputsException(string method, int code, string reason)
    : TransactionRejectedException(method, code, reason, "transaction spends missing or already spent inputs");

/// <summary>An input is already spent by another transaction in the node's mempool (<c>txn-mempool-conflict</c>): a double spend.</summary>
public sealed class TransactionConflictException(string method, int code, string reason)
    : TransactionRejectedException(method, code, reason, "transaction conflicts with a mempool transaction (double spend)");

/// <summary>The transaction is already confirmed (Core RPC error -27). Re-broadcasting it is pointless, not harmful.</summary>
public sealed class TransactionAlreadyInChainException(string method, int code, string reason)
    : TransactionRejectedException(method, code, reason, "transaction is already in the block chain");

/// <summary>The fee is below the node's relay or mempool minimum, or too low to replace a conflicting transaction.</summary>
public sealed class TransactionFeeTooLowException(string method, int code, string reason)
    : TransactionRejectedException(method, code, reason, "transaction fee too low");

/// <summary>The fee exceeds the node's maximum (<c>max-fee-exceeded</c>, <c>absurdly-high-fee</c>); a safety net against typos.</summary>
public sealed class TransactionFeeTooHighException(string method, int code, string reason)
    : TransactionRejectedException(method, code, reason, "transaction fee too high");

/// <summary>The bytes are not a transaction the node can decode (Core RPC error -22).</summary>
public sealed class TransactionDecodeException(string method, int code, string reason)
    : TransactionRejectedException(method, code, reason, "transaction could not be decoded");
